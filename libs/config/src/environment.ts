export type Environment = Record<string, string | undefined>;

/**
 * The process environment. Outside tests, this is the only place that reads process.env: entry
 * points take it from here and pass it on, and everything else reads the validated AppConfig.
 */
export function readEnvironment(): Environment {
  return process.env;
}
