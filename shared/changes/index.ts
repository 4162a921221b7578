/** The change-detection engine, loaded by the changes action once its inputs are valid. */
export { detectChanges, type ChangePlan, type DetectRequest, type ServiceChange } from './detect.js';
export { actionOutputs, planTable, reason, writePlanSummary } from './report.js';
