/**
 * The Insights page's Recharts charts, in a chunk of their own: Recharts is most of the page's code, so the
 * page renders and sends its requests while this chunk loads and compiles instead of after it.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface TrendProps<Point> {
  data: Point[];
  dataKey: keyof Point & string;
  name: string;
  domain: [number, number];
  stroke: string;
}

/** One workspace average per day. */
export function TrendChart<Point extends { date: string }>({
  data,
  dataKey,
  name,
  domain,
  stroke,
}: TrendProps<Point>) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={data}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="date" />
        <YAxis domain={domain} />
        <Tooltip />
        <Line type="monotone" dataKey={dataKey} name={name} stroke={stroke} dot={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export interface EffortBar {
  label: string;
  low: number;
  predictedMinutes: number;
  high: number;
}

/** Calibrated minutes per open task, with the 80 % range either side. */
export function EffortChart({ tasks }: { tasks: EffortBar[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={tasks}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis />
        <Tooltip />
        <Legend />
        <Bar dataKey="low" name="low" fill="#93c5fd" />
        <Bar dataKey="predictedMinutes" name="predicted" fill="#1d4ed8" />
        <Bar dataKey="high" name="high" fill="#1e3a8a" />
      </BarChart>
    </ResponsiveContainer>
  );
}
