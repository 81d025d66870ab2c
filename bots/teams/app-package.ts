/**
 * The Teams app package: manifest.json (schema 1.16) naming the bot by its Microsoft app id, a 192×192 color
 * icon and a 32×32 white-on-transparent outline icon drawn here (no binary assets), zipped with a small
 * store-only zip writer. Upload it in Teams (Apps → Manage your apps → Upload an app) or the Developer Portal.
 */
import { deflateSync } from "node:zlib";

export const MANIFEST_VERSION = "1.16";
const ACCENT = "#2F6B5A";

export interface PackageOptions {
  appId: string;
  /** Where Cairn is reached (CAIRN_PUBLIC_URL); its host becomes a valid domain. */
  publicUrl: string;
  version?: string;
  name?: string;
}

export function teamsManifest(options: PackageOptions): Record<string, unknown> {
  const url = new URL(options.publicUrl);
  const site = url.origin;
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: options.version ?? "1.0.0",
    id: options.appId,
    developer: {
      name: "Cairn",
      websiteUrl: site,
      privacyUrl: `${site}/privacy`,
      termsOfUseUrl: `${site}/terms`,
    },
    name: {
      short: options.name ?? "Cairn",
      full: `${options.name ?? "Cairn"}: plans your day around your meetings`,
    },
    description: {
      short: "Add tasks in plain words, plan your day, start focus time.",
      full: 'Cairn is a self-hosted productivity agent. Tell it "add write the Q3 report by friday 2h", ask "what should I do now?", "plan my day" or "start focus for 50 min", and answer its nudges with one click.',
    },
    icons: { color: "color.png", outline: "outline.png" },
    accentColor: ACCENT,
    bots: [
      {
        botId: options.appId,
        scopes: ["personal", "team", "groupChat"],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          {
            scopes: ["personal", "team", "groupChat"],
            commands: [
              { title: "help", description: "What Cairn understands, with examples" },
              { title: "plan my day", description: "Today's plan with focus blocks around your meetings" },
              { title: "what should I do now", description: "The next task worth your time" },
              { title: "add", description: "Add a task: add write the Q3 report by friday 2h" },
              { title: "my tasks", description: "Your open tasks" },
            ],
          },
        ],
      },
    ],
    permissions: ["identity", "messageTeamMembers"],
    validDomains: [url.host],
  };
}

// ---- PNG -------------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

type Rgba = [number, number, number, number];

/** An RGBA PNG from a pixel function (x, y in [0, size)). */
export function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Three stacked stones (a cairn), as ellipses in unit coordinates: [cx, cy, rx, ry]. */
const STONES: [number, number, number, number][] = [
  [0.5, 0.74, 0.3, 0.11],
  [0.5, 0.52, 0.22, 0.09],
  [0.5, 0.33, 0.14, 0.07],
];

function inStone(u: number, v: number, grow = 0): boolean {
  return STONES.some(
    ([cx, cy, rx, ry]) => ((u - cx) / (rx + grow)) ** 2 + ((v - cy) / (ry + grow)) ** 2 <= 1,
  );
}

export function colorIcon(): Buffer {
  const accent = [0x2f, 0x6b, 0x5a] as const;
  return png(192, (x, y) => {
    const u = (x + 0.5) / 192;
    const v = (y + 0.5) / 192;
    return inStone(u, v) ? [255, 255, 255, 255] : [accent[0], accent[1], accent[2], 255];
  });
}

/** Teams wants the outline icon white on transparent. */
export function outlineIcon(): Buffer {
  return png(32, (x, y) => {
    const u = (x + 0.5) / 32;
    const v = (y + 0.5) / 32;
    const edge = inStone(u, v, 0.02) && !inStone(u, v, -0.035);
    return edge ? [255, 255, 255, 255] : [255, 255, 255, 0];
  });
}

// ---- ZIP (store only) --------------------------------------------------------------------------------------

/** A zip archive with the files stored uncompressed (what Teams' uploader and every unzip accept). */
export function zipStore(files: { name: string; data: Buffer }[], date = new Date(2026, 0, 1)): Buffer {
  const dosTime = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const dosDate = ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, file.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The complete app package (manifest.json, color.png, outline.png) as zip bytes. */
export function teamsAppPackage(options: PackageOptions): Buffer {
  return zipStore([
    { name: "manifest.json", data: Buffer.from(`${JSON.stringify(teamsManifest(options), null, 2)}\n`) },
    { name: "color.png", data: colorIcon() },
    { name: "outline.png", data: outlineIcon() },
  ]);
}
