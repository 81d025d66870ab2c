/**
 * Writes a 90-day history (the `cairn insights` contract) for timing the command as a whole process:
 *   node --import tsx test/bench/behavior/cli-history.ts > /tmp/history90.json
 *   farm-bench --vs 'node -e 0' -- node bin/cairn.js insights --input /tmp/history90.json
 */
import { history } from "../../unit/behavior/history-fixtures.ts";

process.stdout.write(JSON.stringify(history({ days: 90 })));
