// The `yaml` package, loaded the first time it is needed. Only a manifest with problems needs it
// (for positions), and evaluating it costs every action about 10 ms at start-up. A CommonJS
// require is what keeps it both synchronous and out of start-up, in the bundles and in tests alike.
/* global module, require */
let yaml;
module.exports = function yamlOnDemand() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferring this require is the point of the file
  yaml ??= require('yaml');
  return yaml;
};
