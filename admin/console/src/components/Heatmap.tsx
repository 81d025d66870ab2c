import { type HeatGrid, heatLevels } from "../lib/heatmap.ts";
import { weekdayLabel } from "../lib/local-time.ts";
import { Scroll } from "./common.tsx";

/** Weekday × hour table; each cell's shade is its share of the busiest hour, its text the minutes. */
export function Heatmap({ grid, caption, unit = "min" }: { grid: HeatGrid; caption: string; unit?: string }) {
  const levels = heatLevels(grid);
  return (
    <Scroll label={caption}>
      <table className="heatmap">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td />
            {Array.from({ length: 24 }, (_, hour) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the hour is the identity
              <th scope="col" key={hour}>
                {hour}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.map((row, weekday) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the weekday is the identity
            <tr key={weekday}>
              <th scope="row">{weekdayLabel(weekday)}</th>
              {row.map((value, hour) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the hour is the identity
                <td key={hour} className={`heat-${levels[weekday]?.[hour] ?? 0}`} title={`${value} ${unit}`}>
                  <span className="sr-only">
                    {value} {unit}
                  </span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
