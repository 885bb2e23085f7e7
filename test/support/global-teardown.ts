// See global-setup.ts for why tsx loads the lifecycle module.
import { tsImport } from 'tsx/esm/api';

import type * as LifecycleModule from './run-lifecycle.js';

type Lifecycle = typeof LifecycleModule;

export default async function globalTeardown(): Promise<void> {
  const { tearDownRun } = (await tsImport('./run-lifecycle.ts', import.meta.url)) as Lifecycle;
  await tearDownRun();
}
