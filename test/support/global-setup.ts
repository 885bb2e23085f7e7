// Jest loads global setup with Node's own resolver, which cannot map the project's `.js` import
// specifiers to `.ts` sources; tsx loads the real set-up module instead.
import { tsImport } from 'tsx/esm/api';

import type * as LifecycleModule from './run-lifecycle.js';

type Lifecycle = typeof LifecycleModule;

export default async function globalSetup(): Promise<void> {
  const { setUpRun } = (await tsImport('./run-lifecycle.ts', import.meta.url)) as Lifecycle;
  await setUpRun();
}
