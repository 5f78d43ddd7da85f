import { memberLoopSuite } from './member-loop.ts';

memberLoopSuite('postgres');
