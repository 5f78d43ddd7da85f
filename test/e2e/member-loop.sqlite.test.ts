import { memberLoopSuite } from './member-loop.ts';

memberLoopSuite('sqlite');
