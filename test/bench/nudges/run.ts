/** `npm run bench -- nudges`: nudge evaluation throughput (see throughput.ts). */
import "./throughput.ts";
