import { FixedOffsetZone, IANAZone, type Zone } from "luxon";

const DAY = 86_400_000;

/**
 * The person's zone for date arithmetic around `at`: a fixed offset when the zone's offset does not change in
 * the two days either side (no daylight-saving switch), else the IANA zone itself. Reading an IANA zone's
 * offset goes through Intl on every call; a fixed offset is plain arithmetic (the evaluator does thousands).
 */
export function zoneAround(name: string, at: number): Zone {
  const key = `${name}@${Math.floor(at / 3_600_000)}`;
  const cached = around.get(key);
  if (cached) return cached;
  if (around.size > 10_000) around.clear();
  const zone = steadyZone(name, at);
  around.set(key, zone);
  return zone;
}

/** Per zone and hour: the evaluator asks for the same few zones thousands of times in one sweep. */
const around = new Map<string, Zone>();

function steadyZone(name: string, at: number): Zone {
  const zone = IANAZone.isValidZone(name) ? IANAZone.create(name) : FixedOffsetZone.utcInstance;
  if (!zone.isValid || zone instanceof FixedOffsetZone) return zone;
  const offset = zone.offset(at);
  const steady = [-2 * DAY, -DAY, DAY, 2 * DAY, 3 * DAY].every((d) => zone.offset(at + d) === offset);
  return steady ? FixedOffsetZone.instance(offset) : zone;
}
