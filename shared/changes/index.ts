/** The change-detection engine, loaded by the changes action once its inputs are valid. */
export { detectChanges } from './detect.js';
export { actionOutputs, jobSummary, planTable } from './summary.js';
