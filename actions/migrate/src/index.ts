import { run } from '../../../shared/action.js';
import { main, post } from './main.js';

void run(main, post);
