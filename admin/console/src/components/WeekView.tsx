import { clock, weekdayLabel } from "../lib/local-time.ts";
import { placement, type WeekTimeline } from "../lib/timeline.ts";

const KIND_LABEL = {
  meeting: "Meeting",
  task: "Focus on a task",
  focus: "Focus time",
  habit: "Routine",
} as const;

/** The week as day columns; a block's reason shows on hover and on keyboard focus. */
export function WeekView({ timeline }: { timeline: WeekTimeline }) {
  const hours = Array.from(
    { length: timeline.lastHour - timeline.firstHour },
    (_, index) => timeline.firstHour + index,
  );
  return (
    <>
      <p className="legend">
        {Object.entries(KIND_LABEL).map(([kind, label]) => (
          <span key={kind} className={`swatch ${kind}`}>
            {label}
          </span>
        ))}
      </p>
      <section className="week" aria-label="Week timeline">
        <div className="hours" aria-hidden="true">
          {hours.map((hour) => (
            <span key={hour} style={{ top: `${((hour - timeline.firstHour) / hours.length) * 100}%` }}>
              {clock(hour * 60)}
            </span>
          ))}
        </div>
        {timeline.days.map((day) => (
          <section className="day" key={day.date} aria-label={`${weekdayLabel(day.weekday)} ${day.date}`}>
            <h3>
              {weekdayLabel(day.weekday)} <span className="muted">{day.date.slice(5)}</span>
            </h3>
            {day.allDay.map((item) => (
              <p key={item.id} className="allday">
                {item.title}
              </p>
            ))}
            <ol className="column">
              {day.items.map((item) => {
                const place = placement(item, timeline);
                const tipId = `tip-${day.date}-${item.id}`;
                const when = `${clock(item.fromMinute)}–${clock(item.toMinute)}`;
                return (
                  <li
                    key={`${item.id}-${day.date}`}
                    className={`item ${item.kind}`}
                    style={{
                      top: `${place.top}%`,
                      height: `${place.height}%`,
                      left: `${place.left}%`,
                      width: `${place.width}%`,
                    }}
                    // Focusable so a keyboard user can read the reason, as a mouse user does on hover.
                    // biome-ignore lint/a11y/noNoninteractiveTabindex: the tooltip is the interaction
                    tabIndex={0}
                    aria-describedby={item.reason ? tipId : undefined}
                  >
                    <span className="title">
                      <span className="sr-only">{KIND_LABEL[item.kind]}: </span>
                      {item.title}
                    </span>
                    <span className="when">{when}</span>
                    {item.reason && (
                      <span role="tooltip" id={tipId} className="tip">
                        {item.reason}
                      </span>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        ))}
      </section>
    </>
  );
}
