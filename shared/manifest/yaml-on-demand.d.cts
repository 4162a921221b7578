/** The `yaml` package, loaded on first use. */
declare function yamlOnDemand(): typeof import('yaml');
export = yamlOnDemand;
