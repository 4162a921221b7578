import { run } from '../../../shared/action.js';
import { main } from './main.js';

void run(main);
