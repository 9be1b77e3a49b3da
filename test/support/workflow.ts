import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  'runs-on': string;
  strategy?: { matrix?: Record<string, unknown[]> };
  services?: Record<string, { image: string; ports?: string[]; options?: string; env?: Record<string, string> }>;
  env?: Record<string, string>;
  defaults?: { run?: { 'working-directory'?: string } };
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  concurrency?: { group?: string };
  jobs: Record<string, Job>;
}

/** The workflow schema's verdict (action-validator) and the parsed file, for checking facts. */
export function loadWorkflow(text: string): { errors: unknown[]; workflow: Workflow } {
  const { errors } = validateWorkflow(text);
  return { errors, workflow: parse(text) as Workflow };
}

export function stepIndex(job: Job, predicate: (step: Step) => boolean, what: string): number {
  const index = job.steps.findIndex(predicate);
  if (index < 0) throw new Error(`no step ${what} in job "${job.name}"`);
  return index;
}

/** Runs even after a failed step: `!cancelled()` or `always()`. */
export function runsOnFailure(condition: string | undefined): boolean {
  return !!condition && /!\s*cancelled\(\)|always\(\)/.test(condition);
}
