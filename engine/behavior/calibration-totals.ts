/**
 * A person's effort calibration as running totals of log(actual/estimate), overall and per tag: what is stored
 * and updated online (calibration.ts) and what the effort model reads (effort.ts).
 */
export interface PersonCalibration {
  samples: number;
  sumLog: number;
  sumSqLog: number;
  tags: Map<string, { samples: number; sumLog: number; sumSqLog: number }>;
}
