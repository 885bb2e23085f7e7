/** Where the CLI writes: stdout for results only, stderr for messages and errors. */
export interface CliIo {
  /** Results: tables, JSON, next steps. With `--json`, only the JSON document. */
  out(text: string): void;
  /** Errors, warnings and progress that are not results. */
  err(text: string): void;
}
