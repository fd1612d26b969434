// The step handler of each instruction kind; FROM is not a step (it chooses the stage's initial state).
import type { InstructionKind } from '../../parser/instructions/index.js';
import { addHandler } from './add.js';
import { argHandler } from './arg.js';
import { cmdHandler } from './cmd.js';
import { copyHandler } from './copy.js';
import { entrypointHandler } from './entrypoint.js';
import { envHandler } from './env.js';
import { exposeHandler } from './expose.js';
import { healthcheckHandler } from './healthcheck.js';
import { labelHandler } from './label.js';
import { maintainerHandler } from './maintainer.js';
import { onbuildHandler } from './onbuild.js';
import { runHandler } from './run.js';
import { shellHandler } from './shell.js';
import { stopsignalHandler } from './stopsignal.js';
import type { StepHandler } from './types.js';
import { userHandler } from './user.js';
import { volumeHandler } from './volume.js';
import { workdirHandler } from './workdir.js';

export type StepHandlerTable = { readonly [K in InstructionKind]?: StepHandler<K> };

export const STEP_HANDLERS: StepHandlerTable = {
  ADD: addHandler,
  ARG: argHandler,
  CMD: cmdHandler,
  COPY: copyHandler,
  ENTRYPOINT: entrypointHandler,
  ENV: envHandler,
  EXPOSE: exposeHandler,
  HEALTHCHECK: healthcheckHandler,
  LABEL: labelHandler,
  MAINTAINER: maintainerHandler,
  ONBUILD: onbuildHandler,
  RUN: runHandler,
  SHELL: shellHandler,
  STOPSIGNAL: stopsignalHandler,
  USER: userHandler,
  VOLUME: volumeHandler,
  WORKDIR: workdirHandler,
};

/** The handler for `kind`; throws for FROM and for kinds without one. */
export function stepHandlerFor<K extends InstructionKind>(kind: K): StepHandler<K> {
  const handler = STEP_HANDLERS[kind] as StepHandler<K> | undefined;
  if (handler === undefined) throw new Error(`no step handler for ${kind}`);
  return handler;
}
