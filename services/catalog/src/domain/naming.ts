// Demo product generation: realistic names, brands, descriptions, prices and attributes that fit the
// category an item is filed under (a "TVs" leaf gets `Samsung 65" Class QLED 4K UHD Smart TV QN65Q80C`).
// Pure and deterministic: everything random comes from the Rng passed in.
//
// A category is matched by its head noun ("Speaker" in "Bookshelf Speakers", "Cases" in "iPhone 6s Cases"),
// from the leaf up to the root. An accessory-type template (case, cable, mount...) matched only at an
// ancestor ("Camera Bags, Cases & Straps" for the leaf "Camera Straps") yields a plain accessory named after
// the leaf, never the ancestor's product.
import type { Rng } from "../../../lib/random.js";

export interface GeneratedProduct {
  name: string;
  brand: string;
  description: string;
  priceMinor: bigint;
  attributes: Record<string, string>;
  /** Which product template was used (for tests and debugging). */
  kind: string;
}

/** Helpers a template sees: the chosen brand, the category words, and the random source. */
export interface Gen {
  rng: Rng;
  brand: string;
  /** The leaf category's name, cleaned ("4K Ultra HD TVs"). */
  leaf: string;
  /** The leaf as a singular product noun ("4K Ultra HD TV"). */
  noun: string;
  /** What an accessory is for ("iPhone 6s" for "iPhone 6s Cases"), or a generic fallback. */
  subject: string;
  /** Whole path text, root first, for context checks. */
  pathText: string;
  pick<T>(values: readonly T[]): T;
  int(min: number, max: number): number;
  /** One value per product: the name and the attributes agree (a 65" TV has screen_size 65 in). */
  fix<T>(key: string, make: () => T): T;
  /** A product line of the chosen brand ("PIXMA" for Canon), or one of `fallback` for other brands. */
  line(byBrand: Readonly<Record<string, readonly string[]>>, fallback: readonly string[]): string;
  model(): string;
  color(): string;
}

type BrandRule = readonly (readonly [RegExp, readonly string[]])[];

interface Kind {
  key: string;
  /** Tested against cleaned category names from the leaf upwards; "/./" kinds only at the leaf. */
  match: RegExp;
  /** Only under top-level departments matching this. */
  roots?: RegExp;
  /** Accessory-type: when matched only at an ancestor, the item is a plain accessory named after the leaf. */
  accessory?: boolean;
  /** Books, music, films, games, software: no model number or hardware warranty. */
  media?: boolean;
  /** Brands, or rules tested against the whole path (first match wins; end with /./ as the default). */
  brands: readonly string[] | BrandRule;
  /** List price range in dollars, or one that depends on the product (a 32" TV costs less than an 85" one). */
  price: readonly [number, number] | ((g: Gen) => readonly [number, number]);
  name(g: Gen): string;
  /** Sentence endings for the description: "<lead> <pitch>." */
  pitch: readonly string[];
  /** Subject of the description's first sentence; default "The <brand> <noun>". */
  lead?(g: Gen): string;
  attrs?(g: Gen): Record<string, string>;
  /** Words stripped from a category name to find what an accessory is for. */
  subjectWords?: RegExp;
  /** Used when no category name says what the accessory is for. */
  defaultSubject?: string;
}

/** A category whose head noun (last word of the name, or of its first "&" part) is one of these. */
function head(...nouns: string[]): RegExp {
  return new RegExp(`\\b(?:${nouns.join("|")})(?=$|\\s*(?:&|,)\\s)`, "i");
}

const COLORS = ["Black", "White", "Silver", "Space Gray", "Midnight Blue", "Graphite", "Red", "Sage Green", "Rose Gold", "Charcoal"];
const FINISHES = ["Stainless Steel", "Black Stainless Steel", "White", "Fingerprint Resistant Stainless Steel", "Matte Black"];
const WARRANTY = ["1 year limited", "1 year limited", "2 year limited", "90 days parts and labor", "3 year limited"];
const PLATFORM_NAMES: Record<string, string> = { ps4: "PlayStation 4", ps3: "PlayStation 3", "ps vita": "PS Vita", "xbox one": "Xbox One", "xbox 360": "Xbox 360", "wii u": "Wii U", wii: "Wii", "3ds": "Nintendo 3DS", "2ds": "Nintendo 2DS", ds: "Nintendo DS", pc: "PC" };

/** The plain accessory: what an accessory-type template falls back to above the leaf. */
const ACCESSORY: Kind = {
  key: "accessory",
  match: head("accessories", "accessory kits", "accessory sets", "parts", "remotes", "remote controls", "bands", "straps", "strap locks", "tips", "earbud tips", "inserts", "pedestals", "stacking kits", "trim kits", "clips", "lens caps", "replacement heads", "security locks", "stylus", "add-ons", "console add-ons", "mounting kits", "installation kits", "hoses", "bags", "belts", "cleaning kits", "cleaners", "protective lens & covers", "housings"),
  accessory: true,
  brands: [],
  price: [7, 89],
  name: (g) => `${g.brand} ${g.pick(["Premium", "Universal", "Replacement", "Pro", "Essentials", "Deluxe"])} ${g.noun} ${g.model()}`,
  pitch: ["is made to fit and built to the original manufacturer's specifications", "adds convenience and protection to the gear you already own", "installs in seconds with no tools required"],
  attrs: (g) => ({ color: g.pick(["Black", "White", "Gray", "Clear"]) }),
  subjectWords: /accessor(y|ies)|parts?|remotes?|kits?|bands?|straps?|clips?|more|all|other|universal|replacement|&|\band\b/gi,
  defaultSubject: "most models",
};

const KINDS: readonly Kind[] = [
  {
    key: "lens",
    match: head("lenses", "prime lenses", "zoom lenses", "filters", "eyepieces", "viewfinders", "extension tubes", "matte box", "lens adapters", "converters"),
    roots: /Cameras/i,
    brands: [[/filter/i, ["Tiffen", "Hoya", "B+W", "Urth"]], [/lens/i, ["Canon", "Nikon", "Sony", "Sigma", "Tamron"]], [/./, ["Canon", "Nikon", "Sony", "Vello", "Fotodiox"]]],
    price: (g) => (/filter|cap|adapter|converter|eyepiece/i.test(g.leaf) ? [15, 149] : [149, 2299]),
    name: (g) => /filter/i.test(g.leaf)
      ? `${g.brand} ${g.fix("thread", () => g.pick([52, 58, 67, 72, 77, 82]))}mm ${g.noun}`
      : /lens/i.test(g.noun)
        ? `${g.brand} ${({ Canon: g.pick(["RF 24-105mm f/4L IS USM", "RF 50mm f/1.8 STM", "EF 70-200mm f/2.8L IS III USM"]), Nikon: g.pick(["NIKKOR Z 50mm f/1.8 S", "NIKKOR Z 24-120mm f/4 S", "AF-S DX 18-140mm"]), Sony: g.pick(["FE 70-200mm F4 G OSS II", "FE 35mm F1.8", "E 18-135mm F3.5-5.6 OSS"]), Sigma: g.pick(["18-35mm F1.8 DC HSM Art", "100-400mm F5-6.3 DG DN OS"]), Tamron: g.pick(["28-75mm F/2.8 Di III VXD G2", "17-70mm F/2.8 Di III-A"]) } as Record<string, string>)[g.brand] ?? g.model()} ${g.noun}`
        : `${g.brand} ${g.pick(["Pro", "Premium", "Essentials"])} ${g.noun} ${g.model()}`,
    pitch: ["renders crisp detail edge to edge with smooth, natural background blur", "uses multi-coated optics that cut flare and ghosting"],
    attrs: (g) => ({ mount: g.pick(["Canon RF", "Nikon Z", "Sony E", "Fujifilm X"]), filter_thread: `${g.fix("thread", () => g.pick([52, 58, 67, 72, 77, 82]))} mm` }),
  },
  {
    key: "screen-protector",
    match: head("screen protectors", "protector foils", "screen guards", "screen protectors & cleaners", "stylus & screen protectors"),
    accessory: true,
    brands: ["ZAGG", "Insignia", "Belkin", "Spigen", "Best Buy essentials"],
    price: [9, 50],
    subjectWords: /screen protectors?|protector foils?|stylus|cleaners|&|\band\b/gi,
    defaultSubject: "most smartphones",
    name: (g) => `${g.brand} ${g.pick(["InvisibleShield Glass Elite", "Tempered Glass", "Anti-Glare Matte", "Privacy Glass", "Ultra Clear"])} Screen Protector for ${g.subject}`,
    pitch: ["guards the display against scratches and cracks without dulling touch response", "applies bubble-free in seconds with the included alignment tray"],
    attrs: (g) => ({ material: g.pick(["Tempered glass", "PET film", "Hybrid glass"]), pack_size: String(g.pick([1, 2, 3])) }),
  },
  {
    key: "case",
    match: head("cases", "covers", "skins", "sleeves", "folios", "armbands", "holsters", "flipcases", "cases & skins"),
    roots: /^(?!Musical Instruments)/,
    accessory: true,
    brands: [
      [/phone|iphone|galaxy|ipod|mp3/i, ["OtterBox", "Speck", "Incipio", "Case-Mate", "Insignia", "Spigen"]],
      [/laptop|macbook|tablet|ipad|computer/i, ["Incase", "Targus", "Insignia", "Speck", "Belkin"]],
      [/camera|camcorder|lens|gopro/i, ["Lowepro", "Peak Design", "Case Logic", "Think Tank Photo"]],
      [/nintendo|ps vita|psp|wii|xbox|playstation|\bps\d/i, ["PowerA", "Hori", "RDS Industries", "Insignia"]],
      [/./, ["Case Logic", "Insignia", "Pelican", "Belkin"]],
    ],
    price: [12, 80],
    subjectWords: /\bcases?\b|\bcovers?\b|armbands?|holsters?|\bskins?\b|sleeves?|folios?|flipcases|clips|hard|soft|fitted|universal|accessor(y|ies)|\ball\b|more|&|\band\b/gi,
    defaultSubject: "everyday carry",
    name: (g) => `${g.brand} ${g.pick(["Defender Series", "Presidio Grip", "Slim Fit", "Rugged Armor", "Clear Hybrid", "Folio", "Commuter Series", "Shockproof"])} ${/cover/i.test(g.leaf) ? "Cover" : "Case"} for ${g.subject}`,
    pitch: ["absorbs drops and bumps while keeping every port and button within reach", "adds grip and protection without adding bulk", "is built from impact-resistant polycarbonate with a soft-touch lining"],
    attrs: (g) => ({ color: g.color(), material: g.pick(["Polycarbonate", "Silicone", "TPU", "Leather", "Nylon"]), drop_rated: g.pick(["4 ft", "6 ft", "10 ft", "15 ft"]) }),
  },
  {
    key: "bag",
    match: head("bags", "backpacks", "hip packs", "camera bags", "messenger bags", "accessory bags"),
    accessory: true,
    brands: [
      [/camera|camcorder|drone|lens/i, ["Lowepro", "Peak Design", "Think Tank Photo", "Case Logic", "Vanguard"]],
      [/laptop|computer|tablet/i, ["Targus", "SwissGear", "Incase", "Samsonite", "Insignia"]],
      [/drum|percussion|guitar|musical|dj/i, ["Gator", "Protection Racket", "Gibraltar", "MONO"]],
      [/./, ["Case Logic", "Samsonite", "Targus", "Insignia"]],
    ],
    price: [19, 240],
    name: (g) => `${g.brand} ${g.pick(["Everyday", "Pro Runner", "Urban", "Adventure", "Commuter", "Flipside"])} ${g.fix("volume", () => g.pick([6, 10, 15, 20, 25]))}L ${g.noun}`,
    pitch: ["keeps gear organized with padded, customizable dividers", "is made of weather-resistant fabric with a quick-access side opening"],
    attrs: (g) => ({ color: g.color(), capacity: `${g.fix("volume", () => g.pick([6, 10, 15, 20, 25]))} L`, material: g.pick(["Nylon", "Recycled polyester", "Canvas"]) }),
  },
  {
    key: "charger",
    match: head("chargers", "charging docks", "charging mats", "charging kits", "charger cases", "charging cases", "power packs", "power adapters", "power banks", "wireless chargers", "chargers/power packs"),
    accessory: true,
    brands: ["Anker", "Belkin", "Mophie", "Insignia", "Samsung", "Rocketfish"],
    price: [15, 130],
    subjectWords: /chargers?|charging|docks?|mats?|cases?|power packs?|power adapters?|batter(y|ies)|wall|car|kits?|wireless|portable|&|\band\b|\//gi,
    defaultSubject: "USB-C and Lightning devices",
    name: (g) => `${g.brand} ${g.line({ Anker: ["PowerCore", "Nano", "PowerPort"], Belkin: ["BoostCharge", "BoostCharge Pro"], Mophie: ["Juice Pack", "Powerstation"], Samsung: ["Super Fast", "Wireless Charger Duo"] }, ["Fast", "Dual-Port", "Compact"])} ${g.fix("watts", () => g.pick([10, 15, 20, 30, 45, 65]))}W ${g.noun}`,
    pitch: ["fast-charges compatible devices with built-in protection against overheating and overcharging", "has a compact, travel-friendly design with an LED charge indicator"],
    attrs: (g) => ({ output: `${g.fix("watts", () => g.pick([10, 15, 20, 30, 45, 65]))} W`, ports: String(g.int(1, 3)) }),
  },
  {
    key: "cable",
    match: head("cables", "cords", "wire", "connectors", "splitters", "couplers", "adapters", "harnesses", "extension cords", "switchers", "power cords", "hdmi cables", "signal cables", "cables & networking"),
    accessory: true,
    brands: [
      [/car |marine|powersports|deck|amp installation/i, ["Metra", "Scosche", "Rockford Fosgate", "Stinger", "PAC"]],
      [/appliance|dishwasher|range|dryer/i, ["GE", "Whirlpool", "Frigidaire", "Everbilt"]],
      [/./, ["Insignia", "Rocketfish", "Belkin", "Monster", "Anker", "Dynex", "Cable Matters"]],
    ],
    price: [7, 70],
    name: (g) => `${g.brand} ${g.fix("length", () => g.pick([3, 4, 6, 8, 10, 12, 15, 25]))}' ${g.noun}`,
    pitch: ["uses gold-plated connectors and shielded conductors for a clean, reliable signal", "is flexible, tangle-resistant and built to survive thousands of bends"],
    attrs: (g) => ({ length: `${g.fix("length", () => g.pick([3, 4, 6, 8, 10, 12, 15, 25]))} ft`, color: g.pick(["Black", "White", "Gray"]), connector: g.pick(["Gold-plated", "Nickel-plated"]) }),
  },
  {
    key: "battery",
    match: head("batteries", "battery grips", "internal batteries", "batteries & chargers", "batteries & power"),
    accessory: true,
    brands: [
      [/camera|camcorder/i, ["Canon", "Nikon", "Sony", "Insignia", "Wasabi Power"]],
      [/drone/i, ["DJI", "Autel Robotics", "Parrot"]],
      [/xbox|ps\d|playstation|wii|nintendo|vita|psp/i, ["PowerA", "Nyko", "Insignia"]],
      [/./, ["Duracell", "Energizer", "Rayovac", "Panasonic", "Insignia"]],
    ],
    price: [6, 160],
    name: (g) => /camera|camcorder|drone|xbox|ps\d|playstation|wii|nintendo|vita|psp|phone/i.test(g.pathText)
      ? `${g.brand} ${g.pick(["Rechargeable Lithium-Ion", "High-Capacity", "Extended", "Dual"])} ${g.noun} ${g.model()}`
      : `${g.brand} ${g.pick(["Coppertop", "MAX", "Ultimate Lithium", "Rechargeable"])} ${g.pick(["AA", "AAA", "C", "D", "9V", "CR2032"])} Batteries (${g.pick([4, 8, 12, 16, 24])}-Pack)`,
    pitch: ["delivers long-lasting, dependable power when you need it most", "holds its charge in storage and recharges quickly"],
    attrs: (g) => ({ chemistry: g.pick(["Alkaline", "Lithium-ion", "NiMH"]), capacity: `${g.int(8, 50) * 100} mAh` }),
  },
  {
    key: "mount",
    match: head("mounts", "stands", "brackets", "tripods", "monopods", "cradles", "racks", "docks", "shelving", "selfie-sticks", "tv stands", "mounts & cradles", "stands & docks", "speaker stands"),
    roots: /^(?!Appliances|Health)/,
    accessory: true,
    brands: [
      [/tv|projector|speaker/i, ["Sanus", "Insignia", "Rocketfish", "Kanto", "Peerless-AV"]],
      [/camera|camcorder|tripod|monopod|selfie/i, ["Manfrotto", "Joby", "Vanguard", "Peak Design", "Insignia"]],
      [/phone|iphone|gps|car|watch/i, ["iOttie", "Scosche", "Belkin", "Insignia"]],
      [/guitar|recording|music|drum|cymbal/i, ["Hercules", "On-Stage", "Gator Frameworks"]],
      [/./, ["Insignia", "Rocketfish", "Sanus", "Belkin"]],
    ],
    price: [15, 349],
    name: (g) => /tv (wall )?mount|tilt|full-motion|fixed|ceiling tv/i.test(g.leaf)
      ? `${g.brand} ${g.pick(["Premium", "Advanced", "Essentials"])} ${g.noun} for Most ${g.pick(["32\"-70\"", "40\"-90\"", "19\"-43\"", "42\"-85\""])} TVs`
      : `${g.brand} ${g.pick(["Premium", "Advanced", "Essentials", "Pro", "Compact"])} ${g.noun} ${g.model()}`,
    pitch: ["installs in minutes with the included hardware and step-by-step guide", "holds its position securely and keeps cables tidy", "keeps your setup stable, tidy and at the right angle"],
    attrs: (g) => ({ material: g.pick(["Steel", "Aluminum", "Steel and aluminum", "Engineered wood"]), color: g.pick(["Black", "Silver", "Espresso"]) }),
  },
  {
    key: "replacement-filter",
    match: head("filters", "water filters", "air filters", "filters & parts"),
    roots: /Appliances|Connected Home|Health/i,
    accessory: true,
    brands: [
      [/refrigerator|water/i, ["Whirlpool EveryDrop", "GE", "Samsung", "LG", "Frigidaire PureSource"]],
      [/vacuum/i, ["Dyson", "Shark", "Bissell", "Hoover"]],
      [/./, ["Honeywell", "Levoit", "Winix", "Broan-NuTone", "Frigidaire"]],
    ],
    price: [9, 79],
    name: (g) => `${g.brand} Replacement ${g.noun} ${g.model()}${g.rng.chance(0.3) ? ` (${g.pick([2, 3])}-Pack)` : ""}`,
    pitch: ["traps dust, odors and contaminants and should be replaced every six months", "fits perfectly for a tight seal and full performance"],
    attrs: (g) => ({ replace_every: g.pick(["3 months", "6 months", "12 months"]), pack_size: String(g.pick([1, 2, 3])) }),
  },
  ACCESSORY,
  {
    key: "tv",
    match: head("tvs", "televisions", "smart tvs", "tv"),
    roots: /TV & Home Theater|Magnolia|Name Brands|Video Games/i,
    brands: ["Samsung", "LG", "Sony", "TCL", "Hisense", "VIZIO", "Insignia"],
    price: (g) => ({ 32: [129, 249], 43: [199, 449], 50: [249, 599], 55: [329, 1299], 65: [479, 2199], 75: [699, 3299], 85: [1099, 4999] } as Record<number, [number, number]>)[g.fix("size", () => 55)] ?? [299, 999],
    name: (g) => {
      const size = g.fix("size", () => g.pick([32, 43, 50, 55, 65, 75, 85]));
      const techs: Record<string, string[]> = { Samsung: ["QLED", "Neo QLED", "Crystal UHD", "OLED"], LG: ["OLED", "QNED", "NanoCell"], Sony: ["BRAVIA XR OLED", "BRAVIA XR LED", "BRAVIA LED"] };
      const tech = /oled/i.test(g.leaf) ? "OLED" : g.pick(techs[g.brand] ?? ["QLED", "LED", "Mini-LED"]);
      const res = size <= 32 ? "HD" : "4K UHD";
      const code = ({ Samsung: `QN${size}Q${g.pick([60, 70, 80, 90])}C`, LG: `OLED${size}C${g.int(1, 4)}PUA`, Sony: `K-${size}XR${g.pick([80, 90, 95])}` } as Record<string, string>)[g.brand]
        ?? `${g.brand.slice(0, 2).toUpperCase()}-${size}${g.pick(["U8K", "QM7", "R6", "F50", "Q7"])}`;
      return `${g.brand} ${size}" Class ${tech} ${res} Smart ${/outdoor/i.test(g.leaf) ? "Outdoor " : ""}${/curved/i.test(g.leaf) ? "Curved " : ""}TV ${code}`;
    },
    pitch: ["delivers vivid color and deep contrast with a fast, built-in smart TV platform", "upscales everything you watch to near-4K detail and supports Dolby Vision and HDR10", "has a slim bezel design, voice control and a low-lag game mode"],
    attrs: (g) => ({ screen_size: `${g.fix("size", () => 55)} in`, resolution: g.fix("size", () => 55) <= 32 ? "1366 x 768" : "3840 x 2160", refresh_rate: g.pick(["60 Hz", "120 Hz", "144 Hz"]), hdmi_ports: String(g.int(2, 4)) }),
  },
  {
    key: "projector-screen",
    match: head("projector screens", "screens"),
    roots: /TV & Home Theater|Magnolia/i,
    brands: ["Elite Screens", "Silver Ticket", "Epson", "Insignia"],
    price: [79, 899],
    name: (g) => `${g.brand} ${g.fix("diag", () => g.pick([84, 100, 120, 135, 150]))}" ${g.pick(["Manual Pull-Down", "Motorized", "Fixed-Frame", "Portable Tripod"])} Projector Screen (${g.pick(["16:9", "4:3", "2.35:1"])})`,
    pitch: ["gives a bright, uniform picture with a matte-white 1.1 gain surface", "sets up quickly and stays wrinkle-free"],
    attrs: (g) => ({ diagonal: `${g.fix("diag", () => 100)} in`, gain: g.pick(["1.0", "1.1", "1.3"]) }),
  },
  {
    key: "projector",
    match: head("projectors"),
    brands: ["Epson", "BenQ", "Optoma", "ViewSonic", "LG"],
    price: [299, 2999],
    name: (g) => `${g.brand} ${g.pick(["Home Cinema", "CineBeam", "HD", "4K PRO-UHD"])} ${g.fix("res", () => g.pick(["1080p", "4K"]))} ${g.pick(["3LCD", "DLP", "Laser"])} Projector ${g.model()}`,
    pitch: ["throws a bright, sharp picture up to 150 inches across", "offers lens shift and keystone correction for flexible placement"],
    attrs: (g) => ({ brightness: `${g.int(20, 40) * 100} lumens`, resolution: g.fix("res", () => "1080p") === "4K" ? "3840 x 2160" : "1920 x 1080", throw: g.pick(["Standard", "Short throw", "Ultra short throw"]) }),
  },
  {
    key: "soundbar",
    match: head("sound bars", "soundbars", "home theater systems", "home theater in a box", "multiroom audio systems", "stereo shelf systems"),
    brands: ["Sonos", "Bose", "Samsung", "Sony", "VIZIO", "JBL", "Polk Audio", "Yamaha"],
    price: [99, 1499],
    name: (g) => `${g.brand} ${g.line({ Sonos: ["Arc", "Beam (Gen 2)", "Ray"], Bose: ["Smart Soundbar 900", "Smart Ultra Soundbar"], Samsung: ["HW-Q800C", "HW-Q990C"], Sony: ["HT-A7000", "HT-S400"], VIZIO: ["Elevate", "M-Series"], JBL: ["Bar 1000", "Bar 500"], "Polk Audio": ["Signa S4", "MagniFi Max"], Yamaha: ["YAS-209", "SR-B20A"] }, ["Soundbar"])} ${g.fix("ch", () => g.pick(["2.1", "3.1", "5.1", "5.1.2", "7.1.4"]))}-Channel ${/shelf/i.test(g.leaf) ? "Shelf System" : g.pick(["Soundbar with Wireless Subwoofer", "Soundbar with Dolby Atmos", "Home Theater System"])}`,
    pitch: ["fills the room with clear dialogue and cinematic surround sound", "connects with one HDMI eARC cable and streams music over Wi-Fi and Bluetooth"],
    attrs: (g) => ({ channels: g.fix("ch", () => "2.1"), dolby_atmos: g.pick(["Yes", "No"]), connectivity: "HDMI eARC, Bluetooth, Wi-Fi" }),
  },
  {
    key: "headphones",
    match: head("headphones", "earbuds", "headsets", "in-ear headphones", "bluetooth headsets", "gaming headsets"),
    brands: [
      [/gaming|xbox|ps\d|playstation|wii|vita/i, ["SteelSeries", "HyperX", "Turtle Beach", "Razer", "Logitech G", "Corsair"]],
      [/./, ["Sony", "Bose", "Apple", "Beats", "JBL", "Sennheiser", "Jabra", "Skullcandy", "Audio-Technica"]],
    ],
    price: [19, 549],
    name: (g) => {
      const code = ({ Sony: `WH-1000XM${g.int(3, 5)}`, Bose: `QuietComfort ${g.pick(["45", "Ultra", "Earbuds II"])}`, Apple: `AirPods ${g.pick(["Pro (2nd generation)", "Max", "(3rd generation)"])}`, Beats: g.pick(["Studio Pro", "Solo 4", "Fit Pro"]), "Turtle Beach": `Stealth ${g.pick([600, 700])} Gen 2`, SteelSeries: `Arctis Nova ${g.pick([1, 5, 7])}` } as Record<string, string>)[g.brand] ?? g.model();
      return `${g.brand} ${code} ${g.pick(["Wireless Noise Cancelling", "True Wireless", "Wired", "Over-the-Ear", "Wireless"])} ${g.noun}`;
    },
    pitch: ["pairs instantly and delivers balanced, detailed sound with deep bass", "offers up to 30 hours of battery life and comfortable memory-foam cushions", "cancels background noise so you hear only your music or your teammates"],
    attrs: (g) => ({ color: g.color(), battery_life: `${g.int(6, 40)} h`, connectivity: g.pick(["Bluetooth 5.3", "USB-C", "3.5 mm", "2.4 GHz wireless"]), noise_cancelling: g.pick(["Yes", "No"]) }),
  },
  {
    key: "guitar",
    match: head("guitars", "basses", "ukuleles", "banjos", "mandolins"),
    roots: /Musical Instruments/i,
    brands: [[/ukulele|banjo|mandolin/i, ["Kala", "Fender", "Deering", "Ibanez", "Epiphone"]], [/./, ["Fender", "Gibson", "Epiphone", "Yamaha", "Ibanez", "Taylor", "Squier", "PRS"]]],
    price: [129, 2499],
    name: (g) => `${g.brand} ${g.pick(/acoustic/i.test(g.leaf) ? ["FG800", "GS Mini", "Hummingbird Studio", "DR-100", "AW54"] : /bass/i.test(g.leaf) ? ["Player Jazz Bass", "SR300E", "Precision Bass", "TRBX304"] : /electric/i.test(g.leaf) ? ["Player Stratocaster", "Les Paul Standard", "Custom 24", "Classic Vibe Telecaster", "RG550"] : ["Concert", "Soprano", "Tenor", "Studio"])} ${g.noun} - ${g.pick(["Sunburst", "Natural", "Black", "Candy Apple Red", "Olympic White"])}`,
    pitch: ["has a comfortable neck profile and a resonant tonewood body", "stays in tune with sealed tuners and ships professionally set up"],
    attrs: (g) => ({ body: g.pick(["Alder", "Mahogany", "Spruce top", "Basswood"]), frets: String(g.pick([19, 20, 21, 22, 24])), handedness: g.pick(["Right", "Right", "Left"]) }),
  },
  {
    key: "drums",
    match: head("drums", "drum sets", "sets", "cymbals", "percussion", "bongos", "cajons", "congas", "djembes", "tambourines", "shakers", "maracas", "cowbells", "chimes", "blocks", "drumheads", "drumsticks", "drum machines", "drum pads", "pads", "drum pedals"),
    roots: /Musical Instruments/i,
    brands: [[/cymbal/i, ["Zildjian", "Sabian", "Meinl", "Paiste"]], [/electronic|machine|pads/i, ["Roland", "Alesis", "Yamaha"]], [/stick|head/i, ["Vic Firth", "Promark", "Remo", "Evans"]], [/./, ["Pearl", "Ludwig", "Tama", "LP", "Meinl", "Remo"]]],
    price: [9, 1999],
    name: (g) => `${g.brand} ${g.pick(["Export", "Breakbeats", "A Custom", "HHX", "TD-07", "Nitro Mesh", "Imperialstar", "5A", "Emperor"])} ${g.noun}`,
    pitch: ["responds to every nuance of your playing with a warm, articulate voice", "is built from select materials for consistent sound night after night"],
    attrs: (g) => ({ finish: g.pick(["Natural", "Jet Black", "Wine Red", "Brilliant"]), material: g.pick(["Birch", "Maple", "B20 bronze", "Poplar", "Mesh", "Hickory"]) }),
  },
  {
    key: "instrument-amp",
    match: head("amps", "amplifiers", "pedals", "effects", "distortion", "delay", "flange", "volume", "multi effects", "wah wah", "tuners", "compression/sustain", "metronomes", "tuners & metronomes", "keyboard amps"),
    roots: /Musical Instruments/i,
    brands: ["Fender", "Marshall", "Boss", "Orange", "Vox", "Line 6", "Electro-Harmonix", "TC Electronic"],
    price: [39, 1299],
    name: (g) => /amp/i.test(g.leaf)
      ? `${g.brand} ${g.pick(["Blues Junior", "DSL40CR", "Crush 20", "AC15", "Spark 40", "Katana-50 MkII"])} ${g.fix("w", () => g.pick([15, 20, 40, 50, 100]))}W ${g.noun}`
      : `${g.brand} ${g.pick(["DS-1", "Big Muff Pi", "Hall of Fame 2", "Hypergravity", "Polytune 3", "RC-30", "Cry Baby"])} ${g.noun.replace(/^Other$/i, "Effects Pedal")}`,
    pitch: ["shapes your tone from sparkling cleans to saturated drive", "is built road-ready with true bypass switching and a rugged chassis"],
    attrs: (g) => ({ power: /amp/i.test(g.leaf) ? `${g.fix("w", () => 20)} W` : "9 V DC", bypass: g.pick(["True bypass", "Buffered"]) }),
  },
  {
    key: "keyboard-instrument",
    match: head("pianos", "digital pianos", "keyboards", "synths", "workstations", "controllers", "organs", "accordions"),
    roots: /Musical Instruments/i,
    brands: ["Yamaha", "Casio", "Roland", "Korg", "Nord", "Alesis", "Arturia"],
    price: [99, 2999],
    name: (g) => `${g.brand} ${g.line({ Yamaha: ["P-145", "Arius YDP-145", "PSR-E473"], Casio: ["Privia PX-S1100", "CT-S300"], Roland: ["FP-30X", "Juno-D7", "GO:KEYS"], Korg: ["minilogue xd", "B2"], Nord: ["Stage 4", "Electro 6D"], Alesis: ["Recital", "Prestige"], Arturia: ["KeyLab", "MiniLab 3"] }, ["Studio"])} ${g.fix("keys", () => g.pick([49, 61, 76, 88]))}-Key ${g.noun}`,
    pitch: ["has weighted, touch-sensitive keys that feel close to an acoustic piano", "ships with hundreds of voices, a metronome and USB-MIDI"],
    attrs: (g) => ({ keys: String(g.fix("keys", () => 61)), polyphony: String(g.pick([64, 128, 256])) }),
  },
  {
    key: "music-gear",
    match: head("microphones", "mixers", "audio interfaces", "studio monitors", "recorders", "audio recorders", "dj cd players", "dj turntables", "dj console systems", "karaoke machines", "speaker monitors", "dynamic", "condenser", "usb mixers", "pa mixers", "power amps", "dj mixers", "lighting & effects"),
    roots: /Musical Instruments|Audio/i,
    brands: ["Shure", "Audio-Technica", "Focusrite", "PreSonus", "Behringer", "Pioneer DJ", "Rode", "Numark", "Yamaha"],
    price: [39, 1499],
    name: (g) => `${g.brand} ${g.pick(["SM58", "AT2020", "Scarlett 2i2", "Eris E5", "DDJ-FLX4", "PodMic", "MG10XU", "Studio Channel", "Zoom H5"])} ${g.noun}`,
    pitch: ["captures clean, low-noise audio for recording, streaming and live sound", "is plug-and-play with every major recording app"],
    attrs: (g) => ({ connectivity: g.pick(["XLR", "USB-C", "XLR and USB"]), channels: String(g.int(1, 16)) }),
  },
  {
    key: "speaker",
    match: head("speakers", "subwoofers", "tweeters", "speaker systems", "in-ceiling speakers", "in-wall speakers", "subwoofer speakers", "live sound subwoofers"),
    brands: [
      [/car|marine|powersports/i, ["JL Audio", "Kicker", "Rockford Fosgate", "Pioneer", "Kenwood", "Alpine"]],
      [/bluetooth|wireless|portable|water/i, ["JBL", "Bose", "Sonos", "Ultimate Ears", "Marshall", "Anker Soundcore"]],
      [/live sound|musical/i, ["JBL Professional", "QSC", "Electro-Voice", "Yamaha", "Mackie"]],
      [/./, ["Klipsch", "Polk Audio", "Bowers & Wilkins", "KEF", "Sonos", "Yamaha", "Definitive Technology"]],
    ],
    price: [49, 1799],
    name: (g) => /car|marine|powersports/i.test(g.pathText)
      ? `${g.brand} ${g.pick(["C", "KS", "R", "Type-S", "CS"])} Series ${/\d/.test(g.leaf) ? "" : g.pick(["6.5\"", "6\" x 9\"", "5.25\"", "10\"", "12\""])} ${g.pick(["2-Way", "3-Way", "Single-Voice-Coil"])} ${g.noun} (${/subwoofer/i.test(g.leaf) ? "Each" : "Pair"})`
      : /bluetooth|wireless|portable|water/i.test(g.pathText)
        ? `${g.brand} ${g.line({ JBL: ["Flip 6", "Charge 5", "Clip 4"], Bose: ["SoundLink Flex", "SoundLink Max"], Sonos: ["Roam", "Move 2"], "Ultimate Ears": ["WONDERBOOM 3", "BOOM 3"], Marshall: ["Emberton II", "Stanmore III"], "Anker Soundcore": ["Motion 300", "Boom 2"] }, ["Go"])} ${g.pick(["Portable", "Waterproof", "Wireless"])} Bluetooth Speaker - ${g.color()}`
        : `${g.brand} ${g.line({ Klipsch: ["Reference", "R-51M", "The Fives"], "Polk Audio": ["Monitor XT", "Signature Elite", "Reserve"], "Bowers & Wilkins": ["607 S3", "603 S3"], KEF: ["Q Series", "LS50 Meta"], Sonos: ["Era 100", "Era 300"], Yamaha: ["NS-6490", "NS-SW100"], "Definitive Technology": ["Dymension", "ProMonitor"] }, ["Classic"])} ${g.noun} ${g.model()}`,
    pitch: ["produces room-filling sound with tight, punchy bass", "is tuned for clear vocals and detailed highs at any volume", "pairs easily and is built to shrug off splashes and dust"],
    attrs: (g) => ({ power: `${g.int(10, 300)} W`, frequency_response: `${g.int(30, 60)} Hz - ${g.int(20, 40)} kHz`, color: g.pick(["Black", "White", "Walnut"]) }),
  },
  {
    key: "receiver",
    match: head("receivers", "amplifiers", "amps", "decks", "in-dash", "digital media receivers", "multiroom receivers", "stereo receivers", "hd radio decks", "multi-channel amps", "wireless & multiroom components"),
    brands: [
      [/car|marine|powersports/i, ["Pioneer", "Kenwood", "Alpine", "Sony", "JVC", "Rockford Fosgate", "Kicker"]],
      [/headphone/i, ["FiiO", "Schiit", "iFi audio", "Audio-Technica"]],
      [/./, ["Denon", "Marantz", "Yamaha", "Onkyo", "Sony", "Pioneer"]],
    ],
    price: (g) => (/headphone/i.test(g.leaf) ? [49, 399] : /car|marine|powersports/i.test(g.pathText) ? [89, 1199] : [199, 1999]),
    name: (g) => /headphone/i.test(g.leaf) ? `${g.brand} ${g.pick(["K7", "Magni+", "Zen DAC", "AT-HA2"])} ${g.noun}` : /car|marine|powersports/i.test(g.pathText)
      ? (/amp/i.test(g.leaf)
        ? `${g.brand} ${g.pick(["PDX-M12", "KX400.4", "R500X1D", "XM-GS4", "MRV-M500"])} ${g.noun}`
        : `${g.brand} ${g.pick(["DMH-", "DMX-", "iLX-", "XAV-", "KW-"])}${g.int(100, 999)}${g.pick(["BT", "NEX", "EX", ""])} ${g.pick(["6.8\"", "7\"", "9\"", "Single-DIN", "Double-DIN"])} ${g.noun} with ${g.pick(["Apple CarPlay and Android Auto", "Bluetooth", "HD Radio"])}`)
      : `${g.brand} ${g.pick(["AVR-X", "RX-V", "TX-NR", "STR-DH", "SR"])}${g.int(100, 9999)} ${g.pick(["5.2", "7.2", "9.2", "2.0"])}-Channel ${g.noun}`,
    pitch: ["powers your speakers with clean, dynamic sound and modern streaming built in", "is easy to set up, with an on-screen guide and automatic room calibration"],
    attrs: (g) => ({ channels: g.pick(["2", "4", "5.1", "7.2"]), power_per_channel: `${g.int(50, 150)} W`, bluetooth: "Yes" }),
  },
  {
    key: "radio",
    match: head("radios", "boomboxes", "cd & cassette players", "internet radio", "satellite radios", "car satellite radios", "home satellite radios", "emergency radios", "cb radios", "speaker docks", "alarm clocks", "vhf radio"),
    brands: [[/sirius|xm|satellite/i, ["SiriusXM"]], [/cb radios|marine/i, ["Cobra", "Uniden", "Standard Horizon"]], [/./, ["Sony", "Panasonic", "Sangean", "C. Crane", "Midland", "iHome"]]],
    price: [19, 299],
    name: (g) => `${g.brand} ${g.pick(["SXPL1V1", "ICF-P27", "RF-2400D", "WR-11SE", "CC Skywave", "ER310", "Onyx EZR"])} ${g.noun}`,
    pitch: ["pulls in clear reception with an easy-to-read display and simple controls", "runs on batteries or AC power and fits anywhere"],
    attrs: (g) => ({ bands: g.pick(["AM/FM", "AM/FM/Weather", "Satellite", "AM/FM/Shortwave"]), power: g.pick(["AC/battery", "Battery", "Hand crank and solar"]) }),
  },
  {
    key: "streaming",
    match: head("streaming media players", "roku", "google chromecast", "tivo", "nvidia shield", "fire tv devices", "media players", "4k uhd streaming media players"),
    brands: ["Roku", "Google", "Amazon", "Apple", "NVIDIA"],
    price: [29, 199],
    name: (g) => `${({ Roku: `Roku ${g.pick(["Express 4K+", "Streaming Stick 4K", "Ultra"])}`, Google: `Google Chromecast with Google TV (${g.pick(["4K", "HD"])})`, Amazon: `Amazon Fire TV Stick ${g.pick(["4K Max", "Lite", "4K"])}`, Apple: `Apple TV 4K (${g.pick(["64GB", "128GB"])}, Wi-Fi + Ethernet)`, NVIDIA: "NVIDIA SHIELD TV Pro" } as Record<string, string>)[g.brand] ?? g.brand} Streaming Media Player`,
    pitch: ["streams thousands of apps in 4K HDR with a simple voice remote", "sets up in minutes over Wi-Fi and controls your TV's power and volume"],
    attrs: (g) => ({ resolution: g.pick(["4K HDR", "1080p"]), wifi: g.pick(["Wi-Fi 6", "Wi-Fi 5"]) }),
  },
  {
    key: "disc-player",
    match: head("blu-ray players", "dvd players", "cd players", "turntables", "overhead dvd players", "headrest dvd players", "portable dvd players", "streaming blu-ray players", "3d blu-ray players", "dvd recorders", "dj cd players"),
    brands: [[/turntable/i, ["Audio-Technica", "Pro-Ject", "Fluance", "Victrola", "Denon"]], [/car|headrest|overhead/i, ["Rockville", "Pyle", "Alpine", "Rosen"]], [/./, ["Sony", "LG", "Panasonic", "Samsung", "Insignia", "Magnavox"]]],
    price: [49, 499],
    name: (g) => `${g.brand} ${g.pick(["UBP-X700", "UBK90", "DP-UB820", "BDP-S1700", "AT-LP120X", "RT81", "Debut Carbon"])} ${g.noun}`,
    pitch: ["plays your collection with rich, detailed sound and picture", "is simple to set up, with a clean, compact design"],
    attrs: (g) => ({ outputs: g.pick(["HDMI", "RCA", "HDMI, optical", "USB, RCA"]), color: g.pick(["Black", "Silver", "Walnut"]) }),
  },
  {
    key: "mp3-player",
    match: head("mp3 players", "ipods", "ipod nano", "ipod touch", "ipod shuffle", "ipod & mp3 players", "kids' audio players"),
    brands: [[/ipod/i, ["Apple"]], [/./, ["SanDisk", "Sony", "Apple", "AGPTEK"]]],
    price: [29, 299],
    name: (g) => g.brand === "Apple" && /ipod/i.test(g.leaf) ? `Apple ${g.leaf} ${g.fix("gb", () => g.pick([16, 32, 64, 128]))}GB - ${g.color()}` : `${g.brand} ${g.pick(["Clip Jam", "Walkman NW-A306", "A16"])} ${g.fix("gb", () => g.pick([8, 16, 32, 64]))}GB MP3 Player - ${g.color()}`,
    pitch: ["carries thousands of songs with long battery life and a clip-on design", "plays music, podcasts and audiobooks with a simple, intuitive interface"],
    attrs: (g) => ({ storage: `${g.fix("gb", () => 16)} GB`, battery_life: `${g.int(15, 45)} h` }),
  },
  {
    key: "laptop",
    match: head("laptops", "notebooks", "chromebooks", "macbooks", "ultrabooks", "2-in-1 laptops", "gaming laptops", "macbook air", "macbook pro"),
    roots: /Computers|Cell Phones|Name Brands|Video Games/i,
    brands: ["Apple", "Dell", "HP", "Lenovo", "ASUS", "Acer", "Microsoft", "MSI", "Razer"],
    price: [249, 3299],
    name: (g) => {
      const line = ({ Apple: `MacBook ${g.pick(["Air", "Pro"])}`, Dell: g.pick(["XPS 13", "Inspiron 15", "Latitude 7440"]), HP: g.pick(["Pavilion", "ENVY x360", "Spectre x360"]), Lenovo: g.pick(["IdeaPad Slim 5", "ThinkPad X1 Carbon", "Yoga 7i"]), Microsoft: "Surface Laptop 5", ASUS: g.pick(["Zenbook 14", "ROG Strix G16", "Vivobook 15"]), Acer: g.pick(["Swift Go 14", "Aspire 5", "Nitro V 15"]), MSI: g.pick(["Katana 15", "Prestige 14"]), Razer: "Blade 16" } as Record<string, string>)[g.brand];
      const cpu = g.fix("cpu", () => (g.brand === "Apple" ? g.pick(["Apple M3", "Apple M3 Pro"]) : g.pick(["Intel Core i5", "Intel Core i7", "AMD Ryzen 7", "Intel Core Ultra 7"])));
      return `${g.brand} ${line} ${g.fix("screen", () => g.pick(["13.3", "14", "15.6", "16"]))}" ${/chromebook/i.test(g.leaf) ? "Chromebook" : g.pick(["Laptop", "Touch-Screen Laptop", "2-in-1 Laptop", "Gaming Laptop"])} - ${cpu} - ${g.fix("ram", () => g.pick([8, 16, 32]))}GB Memory - ${g.fix("ssd", () => g.pick([256, 512, 1024]))}GB SSD`;
    },
    pitch: ["handles work, school and play with a fast processor and all-day battery", "has a bright, sharp display, a backlit keyboard and a precision touchpad", "boots in seconds from a speedy SSD and stays cool and quiet under load"],
    attrs: (g) => ({ processor: g.fix("cpu", () => "Intel Core i5"), memory: `${g.fix("ram", () => 8)} GB`, storage: `${g.fix("ssd", () => 256)} GB SSD`, screen_size: `${g.fix("screen", () => "14")} in`, color: g.color() }),
  },
  {
    key: "desktop",
    match: head("desktops", "all-in-ones", "all-in-one computers", "towers", "computers", "gaming desktops", "virtual reality-ready computers", "imac", "mac mini"),
    roots: /Computers|Video Games|Name Brands/i,
    brands: ["Apple", "Dell", "HP", "Lenovo", "ASUS", "Acer", "CyberPowerPC", "iBUYPOWER"],
    price: [399, 3999],
    name: (g) => `${g.brand} ${({ Apple: g.pick(["iMac 24\"", "Mac mini", "Mac Studio"]), Dell: g.pick(["XPS Desktop", "Inspiron 24 All-in-One"]), HP: g.pick(["Pavilion Desktop", "OMEN 45L"]), Lenovo: g.pick(["IdeaCentre 5", "Legion Tower 5"]) } as Record<string, string>)[g.brand] ?? g.pick(["Gamer Supreme", "Slate MR", "ROG Strix G13", "Aspire TC"])} ${g.pick(["Desktop", "Gaming Desktop", "All-in-One"])} - ${g.fix("cpu", () => g.pick(["Intel Core i7", "AMD Ryzen 7", "Intel Core i5"]))} - ${g.fix("ram", () => g.pick([16, 32, 64]))}GB Memory - ${g.pick(["NVIDIA GeForce RTX 4060", "Intel Iris Xe", "AMD Radeon RX 7600", "Integrated graphics"])} - ${g.fix("ssd", () => g.pick([512, 1024, 2048]))}GB SSD`,
    pitch: ["brings desktop power to creative work and the latest games", "is ready to expand with free memory slots and drive bays"],
    attrs: (g) => ({ processor: g.fix("cpu", () => "Intel Core i7"), memory: `${g.fix("ram", () => 16)} GB`, storage: `${g.fix("ssd", () => 512)} GB SSD` }),
  },
  {
    key: "server",
    match: head("servers", "server", "rack server", "tower server", "blade server", "thin clients", "servers & thin clients"),
    roots: /Computers/i,
    brands: ["Dell", "HPE", "Lenovo", "Supermicro"],
    price: [899, 6999],
    name: (g) => `${g.brand} ${({ Dell: "PowerEdge R", HPE: "ProLiant DL", Lenovo: "ThinkSystem SR" } as Record<string, string>)[g.brand] ?? "SuperServer "}${g.int(100, 760)} ${g.noun} - Intel Xeon - ${g.pick([32, 64, 128])}GB Memory`,
    pitch: ["runs business workloads reliably with redundant power and hot-swap drives", "is managed remotely with built-in lifecycle tools"],
    attrs: (g) => ({ form_factor: g.pick(["1U rack", "2U rack", "Tower"]), processor: "Intel Xeon" }),
  },
  {
    key: "tablet",
    match: head("tablets", "ipads", "ipad", "e-readers", "kindle", "ipad pro", "ipad air", "ipad mini", "kindle e-readers"),
    roots: /Computers|Cell Phones|Name Brands/i,
    brands: ["Apple", "Samsung", "Amazon", "Lenovo", "Microsoft"],
    price: [79, 1599],
    name: (g) => `${({ Apple: `Apple iPad ${g.pick(["Air 11-inch", "Pro 13-inch", "(10th generation)", "mini"])}`, Samsung: `Samsung Galaxy Tab ${g.pick(["S9", "S9 FE", "A9+"])}`, Amazon: `Amazon Fire ${g.pick(["HD 10", "Max 11", "HD 8"])}`, Microsoft: "Microsoft Surface Pro 9" } as Record<string, string>)[g.brand] ?? `${g.brand} Tab ${g.pick(["P12", "M10 Plus", "M11"])}`} ${g.fix("gb", () => g.pick([64, 128, 256, 512]))}GB ${/AT&T|Verizon|Sprint|T-Mobile/.exec(g.pathText)?.[0] ?? "Wi-Fi"} Tablet - ${g.fix("color", () => g.color())}`,
    pitch: ["is thin and light with a brilliant display for reading, streaming and sketching", "keeps going all day on a single charge and supports a stylus and keyboard"],
    attrs: (g) => ({ storage: `${g.fix("gb", () => 64)} GB`, screen_size: g.pick(["8.3 in", "10.9 in", "11 in", "12.4 in", "13 in"]), color: g.fix("color", () => "Silver") }),
  },
  {
    key: "security-camera",
    match: head("security cameras", "security camera systems", "surveillance video recorders", "surveillance monitors", "indoor cameras", "outdoor cameras", "wireless cameras", "wired cameras", "wireless doorbell cameras", "doorbell cameras", "baby monitors", "wearable pet cameras", "pet videophones", "remote home monitoring systems", "outdoor video", "surveillance monitors & displays"),
    brands: ["Arlo", "Ring", "Google Nest", "Wyze", "Blink", "Eufy", "Lorex", "Swann"],
    price: (g) => (/systems|recorders|monitors/i.test(g.leaf) ? [149, 999] : [29, 299]),
    name: (g) => `${g.brand} ${g.line({ Arlo: ["Pro 5S", "Essential", "Ultra 2"], Ring: ["Stick Up Cam", "Spotlight Cam Plus", "Indoor Cam"], "Google Nest": ["Cam (battery)", "Cam with floodlight"], Wyze: ["Cam v3", "Cam Pan v3"], Blink: ["Outdoor 4", "Mini 2"], Eufy: ["SoloCam S340", "eufyCam 3"], Lorex: ["4K Fusion", "Smart Indoor"], Swann: ["MaxRanger4K", "Enforcer"] }, ["Cam"])} ${g.fix("res", () => g.pick(["2K", "4K", "1080p"]))} ${g.pick(["Wire-Free", "Wired", "Battery"])} ${g.noun}`,
    pitch: ["sends instant alerts with crisp night vision and two-way talk", "records in sharp detail and works with Alexa and Google Assistant"],
    attrs: (g) => ({ resolution: g.fix("res", () => "1080p"), field_of_view: `${g.int(110, 160)} degrees`, power: g.pick(["Battery", "Wired", "Solar"]) }),
  },
  {
    key: "monitor",
    match: head("monitors", "displays", "gaming monitors", "virtual reality monitors", "computer monitors"),
    roots: /Computers|Video Games/i,
    brands: ["Samsung", "LG", "Dell", "ASUS", "Acer", "BenQ", "HP", "Alienware"],
    price: [99, 1499],
    name: (g) => `${g.brand} ${g.line({ Samsung: ["Odyssey G5", "Odyssey OLED G8", "ViewFinity S8"], LG: ["UltraGear", "UltraFine", "UltraWide"], Dell: ["UltraSharp", "S-Series", "G-Series"], ASUS: ["TUF Gaming", "ROG Swift", "ProArt"], Acer: ["Nitro", "Predator"], BenQ: ["ZOWIE", "MOBIUZ"], HP: ["OMEN", "E-Series"], Alienware: ["AW"] }, ["Pro"])} ${g.fix("size", () => g.pick([24, 27, 32, 34]))}" ${g.pick(["IPS", "VA", "OLED"])} ${g.pick(["FHD", "QHD", "4K UHD"])} ${g.fix("hz", () => g.pick([75, 144, 165, 240]))}Hz Monitor ${g.model()}`,
    pitch: ["has thin bezels, accurate color and a fully adjustable stand", "keeps fast motion smooth with adaptive sync and a 1 ms response time"],
    attrs: (g) => ({ screen_size: `${g.fix("size", () => 27)} in`, refresh_rate: `${g.fix("hz", () => 144)} Hz`, panel: g.pick(["IPS", "VA", "OLED"]) }),
  },
  {
    key: "printer",
    match: head("printers", "scanners", "fax machines/copiers", "copiers", "labelers", "3d printers", "3d scanners", "all-in-one inkjet printers", "photo printers", "receipt printers"),
    brands: [[/3d/i, ["MakerBot", "Ultimaker", "Prusa", "Creality", "XYZprinting"]], [/label/i, ["Brother", "DYMO", "Epson"]], [/./, ["HP", "Canon", "Epson", "Brother", "Fujitsu"]]],
    price: [59, 899],
    name: (g) => `${g.brand} ${g.line({ HP: ["OfficeJet Pro", "ENVY", "LaserJet Pro", "DeskJet"], Canon: ["PIXMA", "imageCLASS", "MAXIFY"], Epson: ["EcoTank", "WorkForce", "Expression"], Brother: ["HL-L", "MFC-L", "P-touch"], Fujitsu: ["ScanSnap iX", "fi-"], DYMO: ["LabelManager", "LabelWriter"] }, ["Pro", "Model", "Series"])} ${g.int(1000, 9999)}${g.pick(["e", "dw", "", "W"])} ${g.pick(["Wireless", "Wireless All-In-One", "Duplex", "Compact"])} ${g.noun}`,
    pitch: ["prints sharp documents and vivid photos from your phone, tablet or computer", "sets up over Wi-Fi in minutes and keeps running costs low"],
    attrs: (g) => ({ technology: g.pick(["Inkjet", "Laser", "Thermal"]), pages_per_minute: String(g.int(10, 40)), connectivity: "Wi-Fi, USB" }),
  },
  {
    key: "blank-media",
    match: head("discs", "blank dvds", "dvds", "cds", "tapes", "mini dvs", "mini dvds", "hi8 tapes", "vhs tapes", "blu-ray discs", "jewel cases"),
    roots: /Computers|Cameras|TV/i,
    brands: ["Verbatim", "Maxell", "Sony", "Insignia", "TDK"],
    price: [5, 49],
    name: (g) => `${g.brand} ${g.pick(["DataLifePlus", "Premium", "Archival Grade", "Everyday"])} ${g.noun} (${g.fix("pack", () => g.pick([5, 10, 25, 50, 100]))}-Pack)`,
    pitch: ["records reliably with a scratch-resistant surface for long archival life", "works with all standard drives and recorders"],
    attrs: (g) => ({ pack_size: String(g.fix("pack", () => 10)) }),
  },
  {
    key: "networking",
    match: head("routers", "modems", "gateways", "hotspots", "networking", "ethernet cards", "network cards", "hubs", "switches", "range extenders", "wireless adapters", "usb wireless adapters", "desktop wireless cards", "wireless cards", "signal boosters", "mesh wi-fi systems", "hubs & switches"),
    roots: /Computers|Cell Phones|TV & Home Theater|Connected Home/i,
    brands: [[/AT&T|Verizon|Sprint|T-Mobile|hotspot/i, ["NETGEAR", "Franklin Wireless", "Inseego"]], [/signal booster/i, ["weBoost", "SureCall"]], [/./, ["NETGEAR", "TP-Link", "ASUS", "Linksys", "eero", "Motorola"]]],
    price: [29, 599],
    name: (g) => `${g.brand} ${g.line({ NETGEAR: ["Nighthawk ", "Orbi "], "TP-Link": ["Archer ", "Deco "], ASUS: ["RT-", "ZenWiFi "], Linksys: ["Velop ", "Hydra Pro "], eero: ["Pro "], Motorola: ["MG", "MB"] }, [""])}${g.pick(["AX", "BE", "AC"])}${g.int(12, 98) * 100} ${g.fix("wifi", () => g.pick(["Wi-Fi 6", "Wi-Fi 6E", "Wi-Fi 7", "Dual-Band", "Tri-Band"]))} ${g.noun}`,
    pitch: ["covers your whole home with fast, reliable Wi-Fi for dozens of devices", "sets up from a phone app with built-in security and parental controls"],
    attrs: (g) => ({ wifi_standard: g.fix("wifi", () => "Wi-Fi 6"), ports: String(g.int(1, 8)), coverage: `${g.int(15, 60) * 100} sq ft` }),
  },
  {
    key: "storage",
    match: head("hard drives", "solid state drives", "ssds", "flash drives", "usb flash drives", "memory cards", "micro sd", "micro sdhc", "micro sdxc", "secure digital", "compact flash", "memory stick", "network attached storage", "external hard drives", "internal hard drives", "memory & hard drives", "solid state drives & hard drives", "memory cards", "ps vita memory cards"),
    brands: [[/hard drives?|nas|cloud|network attached/i, ["WD", "Seagate", "Toshiba", "Synology"]], [/solid state|ssd/i, ["Samsung", "Crucial", "WD", "Kingston"]], [/./, ["SanDisk", "Lexar", "Samsung", "Kingston", "PNY"]]],
    price: [9, 599],
    name: (g) => `${g.brand} ${g.line({ SanDisk: ["Extreme PRO", "Ultra", "Extreme"], Samsung: ["EVO Plus", "PRO Plus", "T7 Shield", "990 PRO"], WD: ["My Passport", "Black SN850X", "Blue"], Seagate: ["BarraCuda", "IronWolf", "One Touch"], Crucial: ["P3 Plus", "X9 Pro", "MX500"], Kingston: ["Canvas Go! Plus", "FURY Renegade", "DataTraveler"], Lexar: ["Professional 1667x", "PLAY"], PNY: ["Elite", "PRO Elite"] }, ["Pro"])} ${g.fix("cap", () => g.pick(["64GB", "128GB", "256GB", "512GB", "1TB", "2TB", "4TB"]))} ${g.noun}`,
    pitch: ["moves large files fast and keeps them safe with durable, shock-resistant construction", "is rated for sustained 4K video recording and quick transfers"],
    attrs: (g) => ({ capacity: g.fix("cap", () => "128GB").replace(/(\d)([GT]B)/, "$1 $2"), read_speed: `${g.pick([100, 170, 550, 3500, 7000])} MB/s` }),
  },
  {
    key: "pc-component",
    match: head("memory", "desktop memory", "laptop memory", "ram", "cpus", "processors", "motherboards", "graphics cards", "video graphics cards", "gpus", "video cards", "power supplies", "computer cases", "sound cards", "optical drives", "internal blu-ray drives", "cd/dvd duplicators", "cooling", "fans", "case fans", "memory/ram"),
    roots: /Computers|Video Games/i,
    brands: [[/memory|ram/i, ["Corsair", "Crucial", "Kingston", "G.Skill"]], [/cpu|processor/i, ["AMD", "Intel"]], [/graphic|gpu|video card/i, ["NVIDIA", "ASUS", "MSI", "GIGABYTE", "EVGA"]], [/power suppl/i, ["Corsair", "EVGA", "Seasonic", "be quiet!"]], [/case|cooling|fan/i, ["NZXT", "Corsair", "Lian Li", "Noctua", "Cooler Master"]], [/./, ["ASUS", "MSI", "GIGABYTE", "ASRock", "LG", "Creative"]]],
    price: (g) => (/graphic|gpu|video card|cpu|processor|motherboard/i.test(g.leaf) ? [99, 1899] : [19, 249]),
    name: (g) => /graphic|gpu|video card/i.test(g.leaf)
      ? `${g.brand} ${g.brand === "NVIDIA" ? "GeForce RTX 4090 Founders Edition" : `GeForce RTX ${g.pick([4060, 4070, 4080])} ${g.pick(["VENTUS 2X", "TUF Gaming", "Gaming OC", "WINDFORCE", "FTW3"])} ${g.pick([8, 12, 16])}GB GDDR6X`} ${g.noun}`
      : /cpu|processor/i.test(g.leaf)
      ? `${g.brand === "AMD" ? `AMD Ryzen ${g.pick([5, 7, 9])} ${g.pick(["7600X", "7800X3D", "7950X"])}` : `Intel Core i${g.pick([5, 7, 9])}-${g.pick(["13600K", "14700K", "14900K"])}`} ${g.pick([6, 8, 12, 16, 24])}-Core Desktop Processor`
      : /memory|ram/i.test(g.leaf)
        ? `${g.brand} ${g.pick(["Vengeance", "Pro", "FURY Beast", "Trident Z5"])} ${g.pick([16, 32, 64])}GB (2 x ${g.pick([8, 16, 32])}GB) ${g.pick(["DDR5 6000", "DDR4 3200", "DDR5 5600"])} ${/laptop/i.test(g.leaf) ? "SODIMM Laptop" : "Desktop"} Memory`
        : `${g.brand} ${g.line({ NZXT: ["H5 Flow", "Kraken 240"], Corsair: ["RM850x", "4000D Airflow", "iCUE H150i"], "Lian Li": ["O11 Dynamic", "UNI FAN SL120"], Noctua: ["NH-D15", "NF-A12x25"], "Cooler Master": ["Hyper 212", "MasterBox"], EVGA: ["SuperNOVA 850 G6"], Seasonic: ["FOCUS GX-850"], "be quiet!": ["Pure Power 12", "Dark Rock 4"] }, ["Pro", "Gaming", "Plus"])} ${g.model()} ${g.noun}`,
    pitch: ["is built for high performance and stable overclocking", "installs easily and is backed by a limited lifetime warranty"],
    attrs: (g) => ({ interface: g.pick(["DDR5", "PCIe 4.0", "AM5", "LGA 1700", "ATX"]), rgb: g.pick(["Yes", "No"]) }),
  },
  {
    key: "input-device",
    match: head("keyboards", "mice", "mouse", "game pads", "controllers", "joysticks", "steering wheels", "flight controllers", "stylus", "digital pens", "bluetooth keyboards", "virtual reality controllers", "playstation move accessories"),
    roots: /^(?!Musical Instruments)/,
    brands: [
      [/xbox/i, ["Microsoft", "PowerA", "Turtle Beach"]],
      [/ps\d|playstation|vita/i, ["Sony", "PowerA", "Nacon"]],
      [/wii|nintendo|3ds/i, ["Nintendo", "PowerA", "Hori"]],
      [/wheel|flight|joystick/i, ["Logitech G", "Thrustmaster", "Turtle Beach"]],
      [/./, ["Logitech", "Razer", "Corsair", "SteelSeries", "Microsoft", "Keychron"]],
    ],
    price: [19, 349],
    name: (g) => `${g.brand} ${/mice|mouse|trackball/i.test(g.leaf)
      ? g.line({ Logitech: ["MX Master 3S", "G502 X", "MX Ergo"], Razer: ["DeathAdder V3", "Basilisk V3"], Corsair: ["M65 RGB Ultra", "Harpoon"], SteelSeries: ["Rival 3", "Aerox 5"] }, ["Ergo", "Precision", "Compact"])
      : /keyboard/i.test(g.leaf)
        ? g.line({ Logitech: ["MX Keys S", "K380", "G915 TKL"], Razer: ["BlackWidow V4", "Huntsman Mini"], Corsair: ["K70 RGB PRO", "K65"], SteelSeries: ["Apex Pro", "Apex 3"], Keychron: ["K8 Pro", "Q1"], Microsoft: ["Ergonomic", "Designer Compact"] }, ["Slim", "Compact", "Pro"])
        : g.line({ Sony: ["DualSense Edge", "DualShock 4", "DualSense"], Microsoft: ["Elite Series 2", "Xbox Wireless"], Nintendo: ["Pro", "Joy-Con", "Wii Remote Plus"], PowerA: ["Enhanced Wired", "Fusion Pro 3"], "Turtle Beach": ["Recon", "Stealth Ultra"], Nacon: ["Revolution 5 Pro"], Hori: ["Split Pad Pro"], "Logitech G": ["G923", "Extreme 3D Pro"], Thrustmaster: ["T.Flight HOTAS 4", "T248"] }, ["Pro", "Elite", "Classic"])} ${g.pick(["Wireless", "Wired", "Bluetooth"])} ${g.noun}`,
    pitch: ["offers precise, responsive control with a comfortable, durable build", "connects wirelessly with low latency and lasts weeks between charges"],
    attrs: (g) => ({ connectivity: g.pick(["2.4 GHz wireless", "Bluetooth", "USB-C wired"]), color: g.pick(["Black", "White", "Graphite"]) }),
  },
  {
    key: "supplies",
    match: head("ink", "toner", "remanufactured toner", "paper", "filament", "labels", "stickers", "envelopes", "pens", "pencils", "markers", "binders", "calculators", "shredders", "laminators", "business paper", "photo-quality paper", "multipurpose paper", "desk supplies", "3d printer filament", "label makers", "whiteboards", "organizers", "ink & toner"),
    brands: [[/ink|toner/i, ["HP", "Canon", "Epson", "Brother"]], [/filament/i, ["MakerBot", "Hatchbox", "Prusament", "eSUN"]], [/calculator/i, ["Texas Instruments", "Casio", "HP"]], [/shredder|laminator/i, ["Fellowes", "AmazonBasics", "Swingline"]], [/pen|pencil|marker/i, ["Sharpie", "Pilot", "BIC", "Paper Mate", "Expo"]], [/./, ["Avery", "Hammermill", "Fellowes", "Five Star", "Post-it"]]],
    price: [5, 149],
    name: (g) => `${g.brand} ${g.pick(["Premium", "Everyday", "High-Yield", "Professional", "Classic"])} ${g.noun} ${g.model()}`,
    pitch: ["gives consistent, professional results every time", "is made for everyday use at home, school and the office"],
    attrs: (g) => ({ pack_size: String(g.pick([1, 2, 5, 10, 12, 500])), color: g.pick(["Black", "Assorted", "Blue", "White"]) }),
  },
  {
    key: "console",
    match: head("consoles", "playstation tv", "learning system consoles"),
    roots: /Video Games|Toys/i,
    brands: [[/xbox/i, ["Microsoft"]], [/ps\d|playstation|vita|psp/i, ["Sony"]], [/wii|nintendo|3ds|2ds|\bds\b/i, ["Nintendo"]], [/./, ["LeapFrog", "VTech"]]],
    price: [99, 599],
    name: (g) => collapse(`${g.brand} ${g.leaf.replace(/\bconsoles?\b/i, "")} Console ${g.pick(["500GB", "1TB", "Bundle", "Special Edition", ""])}`),
    pitch: ["delivers fast load times, sharp graphics and a huge library of games", "comes with a controller and everything you need to start playing"],
    attrs: (g) => ({ storage: g.pick(["500 GB", "1 TB", "32 GB"]), color: g.pick(["Black", "White"]) }),
  },
  {
    key: "toys-to-life",
    match: head("amiibo", "skylanders", "disney infinity", "lego dimensions", "toys to life"),
    roots: /Video Games/i,
    brands: [[/amiibo/i, ["Nintendo"]], [/skylanders/i, ["Activision"]], [/disney/i, ["Disney Interactive"]], [/lego/i, ["Warner Bros. Games"]], [/./, ["Nintendo", "Activision"]]],
    price: [12, 79],
    name: (g) => `${g.brand} ${g.leaf} ${g.pick(["Character Figure", "Starter Pack", "Level Pack", "Team Pack"])} - ${title(g, 1)}`,
    pitch: ["unlocks a new playable character when placed on the portal or tapped to the controller", "is a detailed collectible figure that comes to life in the game"],
    attrs: (g) => ({ franchise: g.leaf, age: "7+" }),
  },
  {
    key: "video-game",
    match: head("games", "game downloads", "digital games", "gaming collections", "pc games", "plug & play games", "kinect games"),
    roots: /Video Games|Computers/i,
    media: true,
    brands: ["Activision", "Electronic Arts", "Ubisoft", "Nintendo", "Sony Interactive", "Bethesda", "Square Enix", "2K", "Warner Bros. Games", "Capcom"],
    price: [19, 69],
    name: (g) => `${/gaming collections/i.test(g.pathText) ? g.leaf : title(g, 2)}: ${g.pick(["Reckoning", "Legends", "Deluxe Edition", "Origins", "Ultimate Edition", "Rising", "Complete Edition", "Remastered", "Gold Edition"])} - ${platformOf(g)}`,
    lead: (g) => `This ${platformOf(g)} game from ${g.brand}`,
    pitch: ["drops you into a vast world with a gripping story and hours of replay value", "brings fast online multiplayer and a deep single-player campaign"],
    attrs: (g) => ({ platform: platformOf(g), esrb_rating: g.pick(["E", "E10+", "T", "M"]), genre: g.pick(["Action", "RPG", "Sports", "Racing", "Shooter", "Adventure", "Strategy"]) }),
  },
  {
    key: "phone",
    match: /^(?:apple )?iphone (?:\d|se)|^samsung galaxy (?:s|note)|\bphones$|\bcell phones$/i,
    roots: /Cell Phones|Name Brands/i,
    brands: ["Apple", "Samsung", "Google", "Motorola", "OnePlus"],
    price: [149, 1399],
    name: (g) => {
      const byName = /iphone[^,>]*/i.exec(g.leaf)?.[0] ?? /galaxy[^,>]*/i.exec(g.leaf)?.[0];
      const carrier = /AT&T|Verizon|Sprint|T-Mobile/.exec(g.pathText)?.[0] ?? "Unlocked";
      const model = byName
        ? (/^iphone/i.test(byName) ? `Apple ${byName}` : `Samsung ${byName}`)
        : ({ Apple: `Apple iPhone ${g.pick(["15", "15 Pro", "14", "SE (3rd generation)"])}`, Samsung: `Samsung Galaxy ${g.pick(["S24", "S24 Ultra", "A54 5G", "Z Flip5"])}`, Google: `Google Pixel ${g.pick(["8", "8 Pro", "7a"])}`, Motorola: `Motorola moto g ${g.pick(["stylus 5G", "power 5G", "play"])}` } as Record<string, string>)[g.brand] ?? `OnePlus ${g.pick(["12", "Nord N30 5G"])}`;
      return `${model} ${g.fix("gb", () => g.pick([64, 128, 256, 512]))}GB (${carrier}) - ${g.fix("color", () => g.color())}`;
    },
    pitch: ["takes stunning photos day and night and runs smoothly all day on one charge", "has a bright edge-to-edge display, fast 5G and a durable glass-and-metal design"],
    attrs: (g) => ({ storage: `${g.fix("gb", () => 128)} GB`, screen_size: `${g.pick(["6.1", "6.4", "6.7", "6.8"])} in`, color: g.fix("color", () => "Black"), network: g.pick(["5G", "4G LTE"]) }),
  },
  {
    key: "wearable",
    match: head("smartwatches", "watches", "apple watch", "apple watch sport", "activity trackers", "pedometers", "fitness trackers", "fitness & gps watches", "heart rate monitors", "activity trackers & pedometers"),
    brands: [[/apple watch/i, ["Apple"]], [/./, ["Apple", "Samsung", "Garmin", "Fitbit", "Google", "Amazfit", "Polar"]]],
    price: [49, 799],
    name: (g) => `${({ Apple: `Apple Watch ${g.pick(["Series 9", "SE (2nd generation)", "Ultra 2"])}`, Samsung: `Samsung Galaxy Watch${g.int(4, 6)}`, Garmin: `Garmin ${g.pick(["Forerunner 265", "Venu 3", "fenix 7"])}`, Fitbit: `Fitbit ${g.pick(["Charge 6", "Versa 4", "Inspire 3"])}`, Google: "Google Pixel Watch 2", Polar: `Polar ${g.pick(["Pacer Pro", "H10"])}` } as Record<string, string>)[g.brand] ?? `${g.brand} ${g.pick(["GTR 4", "Balance"])}`} ${g.pick(["GPS", "GPS + Cellular", "Bluetooth"])} ${g.fix("mm", () => g.pick([41, 44, 45]))}mm ${g.noun}`,
    pitch: ["tracks your workouts, heart rate and sleep with detailed insights", "keeps you connected with notifications, payments and multi-day battery life"],
    attrs: (g) => ({ case_size: `${g.fix("mm", () => 44)} mm`, water_resistance: g.pick(["5 ATM", "50 m", "IP68"]), battery_life: `${g.int(1, 14)} days` }),
  },
  {
    key: "car-security",
    match: head("remote starters", "keyless entry systems", "radar detectors", "breathalyzers", "vehicle diagnostics", "remote transmitters", "car security", "remote starters & keyless entry systems", "immobilizer bypass modules"),
    brands: ["Escort", "Cobra", "Uniden", "Compustar", "Viper", "BAC Track", "BlueDriver"],
    price: [29, 499],
    name: (g) => `${g.brand} ${g.pick(["MAX 360c", "R3", "RAD 480i", "CS800-S", "5706V", "Pro"])} ${g.noun}`,
    pitch: ["gives you peace of mind on every drive", "is controlled from a smartphone app and installs cleanly"],
    attrs: (g) => ({ range: g.pick(["Up to 1 mile", "Up to 3,000 ft", "Bluetooth"]), connectivity: g.pick(["Bluetooth", "Wi-Fi", "None"]) }),
  },
  {
    key: "dash-cam",
    match: head("dash cameras", "back-up cameras", "trail cameras", "back-up & dash cameras"),
    brands: [[/trail/i, ["Bushnell", "Stealth Cam", "Browning", "Moultrie"]], [/./, ["Garmin", "Nextbase", "Rexing", "BlackVue", "Rear View Safety"]]],
    price: [39, 399],
    name: (g) => `${g.brand} ${g.pick(["Mini 2", "622GW", "DR970X", "Core", "V1P"])} ${g.fix("res", () => g.pick(["1080p", "1440p", "4K"]))} ${g.noun}`,
    pitch: ["records every drive in sharp detail, day and night", "saves clips automatically when it senses an impact"],
    attrs: (g) => ({ resolution: g.fix("res", () => "1080p"), field_of_view: `${g.int(120, 180)} degrees` }),
  },
  {
    key: "gps",
    match: head("gps", "portable gps", "handheld gps", "outdoor gps", "geocaching gps", "golf gps", "marine gps", "fishfinders", "rangefinders", "gps & fishfinders", "golf gps & rangefinders", "tracking & safety", "maps", "street maps", "topographic maps", "marine maps"),
    brands: [[/maps/i, ["Garmin", "Navionics", "TomTom"]], [/marine|fish/i, ["Garmin", "Lowrance", "Humminbird"]], [/golf|rangefinder/i, ["Bushnell", "Garmin", "Callaway"]], [/./, ["Garmin", "TomTom", "Magellan"]]],
    price: [49, 899],
    name: (g) => /maps/i.test(g.leaf)
      ? `${g.brand} ${g.pick(["City Navigator", "TOPO U.S. 24K", "BlueChart g3", "Navionics+"])} ${g.noun} (microSD/SD Card)`
      : `${g.brand} ${g.pick(["DriveSmart 66", "GO Supreme", "eTrex 22x", "Striker Vivid 5cv", "HOOK Reveal 7", "GPSMAP 67", "Tour V6"])} ${g.noun}`,
    pitch: ["guides you with bright, easy-to-read maps and clear spoken directions", "locks onto satellites fast and keeps going in the roughest conditions"],
    attrs: (g) => ({ maps: g.pick(["North America", "US and Canada", "Worldwide basemap"]), waterproof: g.pick(["IPX7", "No"]) }),
  },
  {
    key: "camera",
    match: head("cameras", "camcorders", "dslrs", "mirrorless cameras", "point & shoot cameras", "action camcorders", "360 degree cameras", "instant print cameras", "childrens cameras", "body only", "body & lens", "digital cameras", "professional camcorders", "traditional camcorders", "kids' cameras"),
    roots: /Cameras|Toys/i,
    brands: [[/action|360/i, ["GoPro", "Insta360", "DJI"]], [/instant/i, ["Fujifilm", "Polaroid", "Kodak"]], [/child|kids/i, ["VTech", "Kidizoom", "Fujifilm"]], [/camcorder/i, ["Sony", "Panasonic", "Canon"]], [/./, ["Canon", "Nikon", "Sony", "Fujifilm", "Panasonic", "OM System"]]],
    price: [99, 3999],
    name: (g) => {
      const body = ({ Canon: `EOS ${g.pick(["R6 Mark II", "R50", "Rebel T7", "R8"])}`, Nikon: g.pick(["Z6 II", "Z fc", "D7500", "Z50"]), Sony: `Alpha ${g.pick(["7 IV", "6400", "7C II"])}`, Fujifilm: g.pick(["X-T5", "X-S20", "instax mini 12"]), GoPro: `HERO${g.int(10, 12)} Black`, Panasonic: `LUMIX ${g.pick(["GH6", "S5II", "G9"])}`, Insta360: g.pick(["X3", "ONE RS"]) } as Record<string, string>)[g.brand] ?? g.model();
      return `${g.brand} ${body} ${/body|lens/i.test(g.leaf) ? "Camera" : g.noun} ${/body only/i.test(g.leaf) ? "(Body Only)" : /lens/i.test(g.leaf) ? "with 18-55mm Lens" : g.pick(["", "Creator Bundle", ""])}`;
    },
    pitch: ["captures sharp, true-to-life photos and 4K video with fast, accurate autofocus", "is compact and rugged, with stabilization for steady handheld shots"],
    attrs: (g) => ({ sensor: g.pick(["Full frame", "APS-C", "Micro Four Thirds", "1-inch"]), megapixels: String(g.pick([20, 24, 26, 33, 45])), video: g.pick(["4K 60p", "4K 30p", "5.3K 60p"]) }),
  },
  {
    key: "optics",
    match: head("binoculars", "telescopes", "monoculars", "spotting scopes", "microscopes"),
    brands: ["Celestron", "Bushnell", "Nikon", "Vortex", "Orion"],
    price: [29, 1299],
    name: (g) => `${g.brand} ${g.pick(["Nature DX", "PowerSeeker", "Diamondback HD", "Prostaff", "StarSense Explorer"])} ${g.pick(["8x42", "10x42", "10x50", "70mm", "127mm"])} ${g.noun}`,
    pitch: ["gives bright, crisp views with fully multi-coated optics", "is light, rugged and waterproof for any outdoor adventure"],
    attrs: (g) => ({ magnification: g.pick(["8x", "10x", "12x", "20-60x"]), waterproof: g.pick(["Yes", "No"]) }),
  },
  {
    key: "drone",
    match: head("drones", "gimbals", "quadcopters", "remote control aircraft"),
    brands: ["DJI", "Autel Robotics", "Parrot", "Holy Stone", "Ryze"],
    price: [59, 2199],
    name: (g) => `${g.brand} ${g.line({ DJI: /gimbal/i.test(g.leaf) ? ["Osmo Mobile 6", "RS 3 Mini"] : ["Mini 4 Pro", "Air 3", "Avata 2"], "Autel Robotics": ["EVO Lite+", "EVO Nano+"], Parrot: ["Anafi", "Anafi Ai"], "Holy Stone": ["HS720E", "HS175D"], Ryze: ["Tello"] }, ["Pro"])} ${g.noun} ${g.pick(["Fly More Combo", "with RC Controller", ""])}`,
    pitch: ["shoots smooth 4K video with 3-axis stabilization and intelligent flight modes", "folds small enough for a jacket pocket and flies up to 34 minutes"],
    attrs: (g) => ({ flight_time: `${g.int(12, 46)} min`, camera: /without camera/i.test(g.pathText) ? "None" : g.pick(["4K/60fps", "2.7K", "1080p"]), range: `${g.int(1, 20)} km` }),
  },
  {
    key: "refrigerator",
    match: head("refrigerators", "freezers", "kegerators", "beer kegerators", "wine chillers", "beverage refrigerators", "ice makers", "wine coolers", "chest freezers", "upright freezers"),
    roots: /Appliances|Connected Home/i,
    brands: ["Samsung", "LG", "Whirlpool", "GE", "Frigidaire", "Bosch", "KitchenAid", "Insignia"],
    price: (g) => (/compact|wine|beverage|keg|ice/i.test(g.leaf) ? [99, 799] : /freezer/i.test(g.leaf) ? [199, 1499] : [899, 3999]),
    name: (g) => `${g.brand} ${g.fix("cuft", () => (/compact|wine|beverage|keg|ice/i.test(g.leaf) ? g.pick([1.7, 3.1, 4.4, 5.5]) : g.pick([18.3, 21.8, 25.5, 28, 30])))} Cu. Ft. ${g.pick(["Smart", "Fingerprint Resistant", "Counter-Depth", "ENERGY STAR Certified", ""])} ${g.noun} with ${g.pick(["Ice Maker", "Dual Ice Maker", "Water Dispenser", "Door-in-Door", "Adjustable Shelves"])} - ${g.fix("finish", () => g.pick(FINISHES))}`,
    pitch: ["keeps food fresh longer with precise, even cooling and a spacious interior", "uses less energy and runs quietly, with smart alerts when a door is left open"],
    attrs: (g) => ({ capacity: `${g.fix("cuft", () => 18.3)} cu ft`, finish: g.fix("finish", () => FINISHES[0]), energy_star: g.pick(["Yes", "No"]) }),
  },
  {
    key: "laundry",
    match: head("washers", "dryers", "washer dryer combos", "stacked units", "laundry centers", "front-loading washers", "top-loading washers", "electric dryers", "gas dryers", "pedestal washers"),
    roots: /Appliances/i,
    brands: ["Samsung", "LG", "Whirlpool", "GE", "Maytag", "Electrolux", "Bosch"],
    price: [299, 2499],
    name: (g) => `${g.brand} ${g.fix("cuft", () => g.pick([4.5, 5.0, 5.3, 7.4, 7.8]))} Cu. Ft. ${g.pick(["Smart", "High-Efficiency", "Stackable", ""])} ${g.noun} with ${g.pick(["Steam", "Sanitize Cycle", "AI Smart Dial", "TurboWash", "Pet Plus"])} - ${g.pick(["White", "Champagne", "Brushed Black", "Graphite Steel"])}`,
    pitch: ["cleans big loads gently and thoroughly while saving water and energy", "runs quietly and can be started and monitored from your phone"],
    attrs: (g) => ({ capacity: `${g.fix("cuft", () => 4.5)} cu ft`, energy_star: "Yes" }),
  },
  {
    key: "kitchen-electric",
    match: head("blenders", "juicers", "juice presses", "food processors", "mixers", "hand mixers", "stand mixers", "toasters", "toaster ovens", "deep fryers", "air fryers", "fryers", "cookers", "pressure cookers", "rice cookers", "slow cookers", "makers", "griddles", "electric griddles", "hotplates", "slicers", "meat slicers", "grinders", "dehydrators", "sealers", "vacuum sealers", "bread machines", "electric knives", "knife sharpeners", "soda makers", "machines", "bakers", "specialty electric bakers", "chocolate fountains", "hot dog grillers", "ovens & toasters", "pizza ovens", "single-serve blenders", "full-size blenders", "hand blenders", "baby food makers", "bottle warmers", "fondue sets"),
    roots: /Appliances|Connected Home/i,
    brands: [[/soda/i, ["SodaStream", "Drinkmate"]], [/blender|juic/i, ["Vitamix", "Ninja", "Breville", "Oster", "KitchenAid"]], [/cooker|fryer/i, ["Instant Pot", "Ninja", "Cuisinart", "Hamilton Beach"]], [/./, ["KitchenAid", "Ninja", "Cuisinart", "Breville", "Hamilton Beach", "Oster"]]],
    price: [19, 599],
    name: (g) => `${g.brand} ${g.line({ KitchenAid: ["Artisan", "Classic", "Pro Line"], Ninja: ["Foodi", "Professional Plus", "Creami"], Vitamix: ["Explorian", "Ascent", "Propel"], Cuisinart: ["Elemental", "Chef's Convection", "Custom"], "Instant Pot": ["Duo Plus", "Pro", "Vortex Plus"], Breville: ["Smart Oven", "the Juice Fountain", "Bluicer"], "Hamilton Beach": ["Professional", "FlexBrew"], Oster: ["Pro", "Classic"], SodaStream: ["Terra", "Art"] }, ["Classic", "Deluxe"])} ${g.noun} ${g.model()}`,
    pitch: ["makes everyday cooking faster and easier with simple, reliable controls", "is built from durable, dishwasher-safe parts for easy cleanup"],
    attrs: (g) => ({ power: `${g.int(300, 1800)} W`, color: g.pick(["Stainless steel", "Black", "Empire Red", "White"]) }),
  },
  {
    key: "garment-care",
    match: head("irons", "steamers", "sewing machines", "steamers & presses", "presses"),
    roots: /Appliances/i,
    brands: [[/sewing/i, ["Singer", "Brother", "Janome"]], [/./, ["Rowenta", "Black+Decker", "Conair", "Hamilton Beach"]]],
    price: [24, 399],
    name: (g) => `${g.brand} ${g.pick(["Pro Master", "Steam Force", "Heavy Duty", "Turbo", "Everyday"])} ${g.noun} ${g.model()}`,
    pitch: ["heats up fast and smooths stubborn wrinkles with powerful steam", "is easy to handle, with an auto shut-off for peace of mind"],
    attrs: (g) => ({ power: `${g.int(1000, 1800)} W`, color: g.pick(["Blue", "White", "Purple", "Gray"]) }),
  },
  {
    key: "cooking",
    match: head("ranges", "ovens", "oven", "cooktops", "microwaves", "range hoods", "hoods", "dishwashers", "warming drawers", "garbage disposals", "trash compactors", "microwave drawers", "double ovens", "single ovens", "wall ovens", "sink garbage disposals"),
    roots: /Appliances/i,
    brands: ["GE", "Samsung", "LG", "Whirlpool", "Frigidaire", "KitchenAid", "Bosch", "Café"],
    price: (g) => (/microwave|disposal|compactor|warming/i.test(g.leaf) ? [89, 899] : /hood/i.test(g.leaf) ? [149, 1499] : [449, 3499]),
    name: (g) => `${g.brand} ${/microwave/i.test(g.leaf) ? g.pick(["1.1 Cu. Ft.", "1.7 Cu. Ft.", "2.2 Cu. Ft."]) : g.pick(["30\"", "24\"", "36\""])} ${g.pick(["Smart", "Convection", "ENERGY STAR", "Air Fry", "Sensor Cook", ""])} ${g.noun} - ${g.fix("finish", () => g.pick(FINISHES))}`,
    pitch: ["cooks evenly and cleans up easily, with precise controls for every recipe", "blends into any kitchen with a sleek finish and quiet operation"],
    attrs: (g) => ({ finish: g.fix("finish", () => FINISHES[0]), ...(/range|cooktop|oven/i.test(g.leaf) ? { fuel: /gas/i.test(g.leaf) ? "Gas" : /electric|induction/i.test(g.leaf) ? "Electric" : g.pick(["Electric", "Gas", "Induction"]) } : {}), width: `${g.pick([24, 30, 36])} in` }),
  },
  {
    key: "floor-care",
    match: head("vacuums", "steam mops", "carpet cleaners", "robot vacuums", "stick vacuums", "vacuums & floor care"),
    brands: ["Dyson", "Shark", "iRobot", "Bissell", "Hoover", "Roborock", "Eufy"],
    price: [59, 1099],
    name: (g) => `${g.brand} ${g.line({ Dyson: ["V15 Detect", "V8", "Ball Animal 3"], Shark: ["Navigator Lift-Away", "Stratos", "AI Ultra"], iRobot: ["Roomba j7+", "Roomba Combo i5"], Bissell: ["CrossWave", "CleanView", "Little Green"], Hoover: ["WindTunnel", "ONEPWR"], Roborock: ["S8 MaxV Ultra", "Q5"], Eufy: ["RoboVac 11S", "Clean X8"] }, ["Pro"])} ${g.pick(["Cordless", "Bagless", "Self-Emptying", "Pet", ""])} ${g.noun}`,
    pitch: ["picks up fine dust and pet hair from carpets and hard floors alike", "has strong suction, a sealed HEPA filtration system and a long runtime"],
    attrs: (g) => ({ runtime: `${g.int(30, 120)} min`, filtration: g.pick(["HEPA", "Sealed HEPA", "Multi-cyclone"]), color: g.pick(["Nickel", "Purple", "Gray", "Black"]) }),
  },
  {
    key: "climate",
    match: head("air conditioners", "heaters", "fans", "humidifiers", "dehumidifiers", "air purifiers", "evaporative coolers", "fireplaces", "thermostats", "outdoor heating", "diffusers", "aromatherapy diffusers"),
    brands: [[/thermostat/i, ["Google Nest", "ecobee", "Honeywell Home", "Emerson Sensi"]], [/fireplace/i, ["Dimplex", "Duraflame", "Napoleon"]], [/air conditioner/i, ["LG", "Frigidaire", "GE", "Midea"]], [/./, ["Dyson", "Honeywell", "Vornado", "Lasko", "Levoit", "De'Longhi"]]],
    price: [29, 899],
    name: (g) => `${g.brand} ${g.line({ Dyson: ["Purifier Cool", "Hot+Cool"], Honeywell: ["QuietSet", "InSight"], Levoit: ["Core 300", "Vital 200S"], "Google Nest": ["Learning", "Thermostat E"], ecobee: ["Smart Thermostat Premium", "Enhanced"] }, ["Smart", "Whole Room", "ENERGY STAR", "Premium", "Compact"])} ${/air conditioner/i.test(g.leaf) ? `${g.pick(["6,000", "8,000", "10,000", "12,000"])} BTU ` : ""}${g.noun}`,
    pitch: ["keeps any room comfortable with quiet, efficient operation", "can be scheduled and adjusted from your phone or by voice"],
    attrs: (g) => ({ coverage: `${g.int(150, 1000)} sq ft`, power: `${g.int(40, 1500)} W` }),
  },
  {
    key: "coffee-supply",
    match: head("coffee filters", "coffee pods", "coffee beans", "coffee & travel mugs", "mugs", "coffee pod racks", "pod racks", "drink & soda mixes"),
    roots: /Appliances/i,
    media: true,
    brands: ["Green Mountain Coffee", "Starbucks", "Peet's Coffee", "Melitta", "Contigo", "Stanley", "SodaStream"],
    price: [5, 49],
    name: (g) => `${g.brand} ${g.pick(["Breakfast Blend", "Pike Place Roast", "Major Dickason's", "Original", "AUTOSEAL", "Classic"])} ${g.noun}${/pods|beans|filters|mixes/i.test(g.leaf) ? ` (${g.pick([12, 24, 32, 100])}-Count)` : ""}`,
    pitch: ["makes every cup as good as the first", "is a simple, everyday essential for your coffee corner"],
    attrs: (g) => ({ pack_size: String(g.pick([1, 12, 24, 100])) }),
  },
  {
    key: "coffee",
    match: head("coffee makers", "espresso machines", "espresso makers", "tea kettles", "electric tea kettles", "percolators", "milk frothers", "coffee grinders", "single-serve coffee makers", "multi-cup coffee makers", "electric espresso machines", "stovetop espresso makers"),
    brands: ["Keurig", "Nespresso", "Breville", "Ninja", "Cuisinart", "De'Longhi", "Mr. Coffee", "Bialetti"],
    price: [19, 999],
    name: (g) => `${g.brand} ${g.line({ Keurig: ["K-Elite", "K-Supreme", "K-Mini"], Nespresso: ["Vertuo Next", "Essenza Mini"], Breville: ["Barista Express", "Bambino Plus"], Ninja: ["Specialty", "DualBrew Pro"], Cuisinart: ["Grind & Brew", "PerfecTemp"], "De'Longhi": ["Dedica", "Magnifica"], "Mr. Coffee": ["Easy Measure", "Iced"], Bialetti: ["Moka Express", "Venus"] }, ["Classic"])} ${g.noun}`,
    pitch: ["brews cafe-quality coffee at the touch of a button", "heats up fast and is easy to clean, with a removable water reservoir"],
    attrs: (g) => ({ capacity: g.pick(["12 cups", "1 cup", "40 oz", "1.7 L"]), color: g.pick(["Black", "Stainless steel", "Red", "White"]) }),
  },
  {
    key: "kitchenware",
    match: head("cookware", "bakeware", "cutlery", "skillets", "woks", "utensils", "food preparation utensils", "can openers", "pepper mills", "spice grinders", "lunch boxes", "trash cans", "garbage cans", "wine glasses", "wine openers", "wine racks", "wine decanters", "wine stoppers", "wine charms", "accessory sets", "wine accessory sets", "food scales", "meat thermometers", "soap dispensers", "storage", "refrigerator storage", "martini", "buffet servers", "humidors"),
    roots: /Appliances|Connected Home/i,
    brands: [[/wine|martini/i, ["Rabbit", "Vinturi", "Schott Zwiesel", "Riedel"]], [/trash|garbage|soap/i, ["simplehuman", "Rubbermaid", "OXO"]], [/./, ["Calphalon", "All-Clad", "Cuisinart", "OXO", "Zwilling", "Lodge", "Le Creuset"]]],
    price: [9, 399],
    name: (g) => `${g.brand} ${g.pick(["Classic", "Signature", "Premier", "Good Grips", "Pro", "Select"])} ${g.noun}${/cookware|bakeware|cutlery|glasses/i.test(g.leaf) ? ` (${g.pick([4, 6, 8, 10, 12])}-Piece)` : ""}`,
    pitch: ["is built for years of everyday use and cleans up in seconds", "combines a comfortable grip with durable, food-safe materials"],
    attrs: (g) => ({ material: g.pick(["Stainless steel", "Hard-anodized aluminum", "Cast iron", "Glass", "BPA-free plastic"]), dishwasher_safe: g.pick(["Yes", "No"]) }),
  },
  {
    key: "smart-home",
    match: head("smart light bulbs", "light bulbs", "led light bulbs", "lighting kits", "smart lighting kits", "light strips", "smart light strips", "light switches", "door locks", "smart door locks", "locks", "sensors", "motion sensors", "leak sensors", "alarms", "door & window alarms", "smoke detectors", "garage door openers", "keypads", "control keypads", "appliance & outlet control", "smart & wifi light switches", "flashlights", "safes", "weather stations", "deaf alert systems"),
    brands: [[/lock|keypad/i, ["August", "Yale", "Schlage", "Kwikset"]], [/smoke|alarm/i, ["Kidde", "First Alert", "Google Nest", "Ring"]], [/garage/i, ["Chamberlain", "Genie", "myQ"]], [/safe/i, ["SentrySafe", "Honeywell"]], [/weather/i, ["AcuRite", "La Crosse Technology", "Ambient Weather"]], [/./, ["Philips Hue", "LIFX", "TP-Link Kasa", "Wyze", "GE Cync", "Lutron Caseta"]]],
    price: [15, 349],
    name: (g) => `${g.brand} ${g.pick(["White and Color Ambiance", "Smart", "Wi-Fi", "Pro", "Essentials", "Gen 4"])} ${g.noun}${g.rng.chance(0.3) ? ` (${g.pick([2, 3, 4])}-Pack)` : ""}`,
    pitch: ["works with Alexa, Google Assistant and Apple Home for hands-free control", "sets up in minutes from a phone app, no hub required"],
    attrs: (g) => ({ works_with: g.pick(["Alexa, Google Assistant", "Apple Home, Alexa", "Matter"]), connectivity: g.pick(["Wi-Fi", "Zigbee", "Bluetooth", "Thread"]) }),
  },
  {
    key: "outdoor",
    match: head("grills", "gas grills", "charcoal grills", "electric grills", "smokers", "fire pits", "patio heaters", "grass trimmers", "edgers", "hedge trimmers", "blowers", "bug zappers", "fountains", "bird baths", "hammocks", "patio umbrellas", "umbrellas", "shades", "canopies", "lawn mowers", "outdoor shades & canopies", "grill accessories", "outdoor storage cabinets", "sleds", "pool toys"),
    roots: /Connected Home|Appliances/i,
    brands: [[/grill|smoker/i, ["Weber", "Traeger", "Char-Broil", "Pit Boss", "Nexgrill"]], [/fire pit|heat/i, ["Solo Stove", "Outland Living", "Hampton Bay"]], [/trimmer|edger|blower|mower/i, ["EGO", "Greenworks", "DEWALT", "Ryobi"]], [/./, ["Hampton Bay", "Sunnydaze", "Best Choice", "Bond"]]],
    price: [19, 1999],
    name: (g) => `${g.brand} ${g.pick(["Genesis", "Pro", "Bonfire", "Power+", "Performance", "Classic", "Deluxe"])} ${g.noun} ${g.model()}`,
    pitch: ["is built to last outdoors with weather-resistant materials", "makes backyard time easier, from weeknight dinners to weekend projects"],
    attrs: (g) => ({ material: g.pick(["Stainless steel", "Powder-coated steel", "Aluminum", "Resin wicker"]), power: g.pick(["Propane", "Pellet", "Battery", "Corded electric", "Wood"]) }),
  },
  {
    key: "personal-care",
    match: head("shavers", "men's shavers", "women's shavers", "trimmers", "electric toothbrushes", "toothbrushes", "hair dryers", "straighteners", "hair straighteners", "curling irons", "curlers", "hair & nail cutting kits", "skin care", "massagers", "scales", "blood pressure monitors", "health thermometers", "thermometers", "glucose monitors", "pulse oximeters", "light therapy", "water jets", "magnifiers", "personal sound amplifiers", "hearing aid batteries", "vibrating alarm clocks", "large button telephones"),
    roots: /Health/i,
    brands: [[/shaver|trimmer|hair & nail/i, ["Philips Norelco", "Braun", "Panasonic", "Remington"]], [/tooth|water jet/i, ["Oral-B", "Philips Sonicare", "Waterpik"]], [/hair|curl|straight/i, ["Dyson", "Conair", "Revlon", "T3", "BaBylissPRO"]], [/blood|thermo|glucose|pulse|scale/i, ["Omron", "Withings", "Braun", "Eufy"]], [/./, ["Philips", "Panasonic", "Homedics", "Conair"]]],
    price: [14, 599],
    name: (g) => `${g.brand} ${g.line({ "Philips Norelco": ["Shaver 7200", "Multigroom 5000", "OneBlade"], Braun: ["Series 9 Pro+", "Series 7", "ThermoScan 7"], "Oral-B": ["iO Series 7", "Pro 1000"], "Philips Sonicare": ["ProtectiveClean 6100", "DiamondClean"], Waterpik: ["Aquarius", "Cordless Advanced"], Dyson: ["Supersonic", "Airwrap", "Corrale"], Conair: ["InfinitiPRO", "Double Ceramic"], Revlon: ["One-Step", "Salon"], Omron: ["Platinum", "Silver", "Gold"], Withings: ["Body+", "BPM Connect"], Panasonic: ["Arc5", "MultiShape"], Remington: ["F5", "Ultimate Series"] }, ["Pro", "Classic"])} ${g.noun}`,
    pitch: ["gives salon-quality results at home with gentle, precise care", "is easy to use every day and comes with a travel case"],
    attrs: (g) => ({ power: g.pick(["Rechargeable", "Corded", "Battery"]), color: g.pick(["Black", "White", "Rose Gold", "Navy"]) }),
  },
  {
    key: "fitness",
    match: head("dumbbells", "kettlebells", "weights", "body weights", "weight plates", "weight racks", "yoga props", "yoga", "pilates kits", "pilates reformers", "benches", "resistance bands", "home gyms", "medicine balls", "bars", "pull-up", "hand strengtheners", "exercise kits", "core & balance trainers", "trainers", "weightlifting gloves", "boxing", "water bottles", "coolers", "mats", "biking", "golf", "sports gear", "sports gear & equipment", "smart sports equipment", "fitness videos"),
    roots: /Health/i,
    brands: [[/bottle|cooler/i, ["Hydro Flask", "YETI", "Stanley", "Coleman"]], [/golf/i, ["Callaway", "TaylorMade", "Titleist"]], [/yoga|pilates|mat/i, ["Gaiam", "Manduka", "Balanced Body"]], [/./, ["Bowflex", "NordicTrack", "CAP Barbell", "Bala", "TRX", "Everlast"]]],
    price: (g) => (/home gyms|reformers|benches|racks/i.test(g.leaf) ? [149, 1499] : [9, 199]),
    name: (g) => `${g.brand} ${g.pick(["Premium", "Essentials", "Pro", "Home", "Elite", "Performance"])} ${({ boxing: "Boxing Gloves", golf: "Golf Rangefinder", biking: "Bike Light Set", yoga: "Yoga Mat", "sports gear": "Sports Training Kit", "smart sports equipment": "Smart Training Ball" } as Record<string, string>)[g.leaf.toLowerCase()] ?? g.noun}`,
    pitch: ["helps you train at home with durable, gym-quality construction", "is compact enough to store anywhere and built for daily use"],
    attrs: (g) => ({ weight: `${g.int(1, 90)} lb`, material: g.pick(["Steel", "Neoprene", "Natural rubber", "Stainless steel"]) }),
  },
  {
    key: "fan-gear",
    match: /fan shop|merchandise|national football league|\bnfl\b|\bnba\b|\bmlb\b|\bncaa\b/i,
    roots: /Health/i,
    media: true,
    brands: ["Fanatics", "'47", "New Era", "WinCraft", "Nike", "Logo Brands"],
    price: [14, 129],
    name: (g) => `${g.brand} ${g.leaf} ${g.fix("product", () => g.pick(["Adjustable Cap", "Fleece Throw Blanket", "Logo T-Shirt", "15 oz. Ceramic Mug", "Team Pennant", "Replica Jersey"]))}`,
    lead: (g) => `This officially licensed ${g.leaf} ${g.fix("product", () => "Cap").toLowerCase()}`,
    pitch: ["shows off your team pride in official colors", "is made of soft, durable materials that hold up game after game"],
    attrs: (g) => ({ team: g.leaf, licensed: "Officially licensed" }),
  },
  {
    key: "furniture",
    match: head("desks", "chairs", "tables", "sofas", "stools", "bar stools", "bookcases", "dressers", "nightstands", "ottomans", "cabinets", "benches", "hutches", "armoires", "computer armoires", "headboards", "bed frames", "seating", "furniture", "carts", "tv carts", "keyboard trays", "dining sets", "bistro sets", "footrests", "swing chairs", "cushions & pillows", "wall art", "mirrors", "file cabinets", "furniture sets", "a/v component racks", "media shelf towers"),
    brands: [[/gaming chair/i, ["Secretlab", "Corsair", "RESPAWN", "DXRacer"]], [/outdoor|patio|bistro/i, ["Hampton Bay", "Sunnydaze", "Best Choice Products"]], [/./, ["Bush Furniture", "Sauder", "Serta", "Flash Furniture", "Walker Edison", "Insignia"]]],
    price: [39, 1299],
    name: (g) => `${g.brand} ${g.pick(["Cabot", "Harbor View", "Mid-Century", "Somerset", "Titan Evo", "Modern", "Farmhouse"])} ${g.noun} - ${g.pick(["Espresso Oak", "White", "Black", "Walnut", "Gray", "Natural"])}`,
    pitch: ["adds style and practical storage to any room", "is made of sturdy engineered wood and steel and assembles in about an hour"],
    attrs: (g) => ({ finish: g.pick(["Espresso oak", "White", "Black", "Walnut"]), assembly: "Required", max_load: `${g.int(50, 300)} lb` }),
  },
  {
    key: "ebike",
    match: head("electric bikes", "electric scooters", "hoverboards", "e-bikes"),
    brands: ["Segway", "GOTRAX", "Jetson", "Aventon", "Hover-1"],
    price: [199, 1999],
    name: (g) => `${g.brand} ${g.pick(["Ninebot Max G2", "G4", "Nova", "Level.2", "Journey", "E300"])} ${g.noun} with ${g.fix("range", () => g.int(10, 45))} mi Max Operating Distance and ${g.fix("speed", () => g.int(12, 28))} mph Max Speed`,
    pitch: ["makes city trips easy with a long-range battery and responsive brakes", "folds for storage and carries up to 265 lb"],
    attrs: (g) => ({ range: `${g.fix("range", () => 20)} mi`, top_speed: `${g.fix("speed", () => 15)} mph`, max_load: `${g.int(220, 300)} lb` }),
  },
  {
    key: "telephone",
    match: head("telephones", "corded telephones", "cordless telephones", "two-way radios", "expansion handsets", "handsets", "voip", "conferencing telephones", "multi-line telephones", "novelty telephones", "special needs telephones", "bluetooth speakerphones"),
    brands: [[/two-way/i, ["Motorola", "Midland", "Cobra"]], [/./, ["Panasonic", "VTech", "AT&T", "Poly", "Jabra"]]],
    price: [19, 349],
    name: (g) => `${g.brand} ${g.pick(["KX-TGD", "CS6", "DECT 6.0", "Talkabout T", "ACXT", "Trio"])}${g.int(100, 999)} ${g.noun}`,
    pitch: ["delivers clear calls with a long range and a backlit keypad", "includes caller ID, call blocking and a built-in answering system"],
    attrs: (g) => ({ range: g.pick(["Up to 1,000 ft", "Up to 35 mi", "Whole home"]), handsets: String(g.int(1, 5)) }),
  },
  {
    key: "luggage",
    match: head("luggage", "luggage carts", "luggage locks", "luggage scales", "luggage tags", "toiletry kits", "travel wallets", "travel blankets & pillows", "travel blankets"),
    brands: ["Samsonite", "Travelpro", "Delsey", "Briggs & Riley", "Targus"],
    price: [15, 499],
    name: (g) => `${g.brand} ${g.pick(["Freeform", "Maxlite 5", "Helium Aero", "Omni 2", "Baseline"])} ${g.noun} - ${g.fix("color", () => g.color())}`,
    pitch: ["stands up to years of travel with a lightweight, durable build", "keeps essentials organized and easy to reach"],
    attrs: (g) => ({ color: g.fix("color", () => "Black"), material: g.pick(["Polycarbonate", "Nylon", "Polyester"]) }),
  },
  {
    key: "pet",
    match: /\bpets?\b|\bdog\b|\bcat\b|bark control|training collars|wireless pet fences|litter/i,
    roots: /Connected Home|Wearable/i,
    brands: ["Furbo", "Petcube", "PetSafe", "Whistle", "Petlibro", "KONG"],
    price: [9, 299],
    name: (g) => `${g.brand} ${g.pick(["Smart", "Deluxe", "Automatic", "Pro", "Classic"])} ${g.noun}`,
    pitch: ["keeps your pet happy, healthy and safe while you're away", "is easy to set up and simple to clean"],
    attrs: (g) => ({ pet_size: g.pick(["Small", "Medium", "Large", "All sizes"]) }),
  },
  {
    key: "software",
    match: /software|antivirus|office suites|operating systems/i,
    roots: /Computers/i,
    media: true,
    brands: [[/tax|finance|legal/i, ["Intuit", "H&R Block"]], [/security|antivirus/i, ["Norton", "McAfee", "Bitdefender", "Webroot"]], [/photo|video|music|design|illustration|fonts/i, ["Adobe", "Corel", "CyberLink", "Avanquest"]], [/language|education|children/i, ["Rosetta Stone", "Encore", "Avanquest"]], [/./, ["Microsoft", "Avanquest", "Encore", "Nuance"]]],
    price: [19, 449],
    name: (g) => `${g.brand} ${g.pick(["Deluxe", "Premium", "Home & Student", "Pro", "Essentials", "Ultimate"])} ${/software/i.test(g.noun) ? g.noun : `${g.noun} Software`} ${g.pick(["(1-Year Subscription)", "2024", "- Windows/Mac", "(5 Devices)"])}`,
    pitch: ["gets you productive right away with guided tools and automatic updates", "installs on Windows and Mac from a download code"],
    attrs: (g) => ({ platform: g.pick(["Windows", "Mac", "Windows, Mac"]), license: g.pick(["1 year", "Perpetual"]), delivery: "Download code" }),
  },
  {
    key: "movie",
    match: head("blu-ray movies", "dvd movies", "movies", "4k ultra hd blu-ray discs", "blu-ray 3d discs", "tv shows", "movies & tv shows"),
    roots: /Movies & Music/i,
    media: true,
    brands: ["Warner Bros.", "Universal", "Disney", "Sony Pictures", "Paramount", "Lionsgate", "20th Century Studios", "A24"],
    price: [9, 49],
    name: (g) => `${g.rng.chance(0.5) ? "The " : ""}${title(g, g.int(1, 2))}${/tv shows/i.test(g.leaf) ? `: The Complete ${g.pick(["First", "Second", "Third"])} Season` : g.rng.chance(0.3) ? ` ${g.pick(["II", "Returns"])}` : ""} (${g.fix("format", () => (/4k/i.test(g.leaf) ? "4K Ultra HD Blu-ray" : /dvd/i.test(g.leaf) ? "DVD" : g.pick(["Blu-ray + Digital", "Blu-ray", "DVD"])))}) [${g.int(1978, 2024)}]`,
    lead: (g) => `This ${g.fix("format", () => "Blu-ray")} release from ${g.brand}`,
    pitch: ["comes with behind-the-scenes featurettes and a digital copy", "is presented in high definition with immersive surround sound"],
    attrs: (g) => ({ format: g.fix("format", () => "Blu-ray"), rating: g.pick(["G", "PG", "PG-13", "R", "TV-MA"]), runtime: `${g.int(85, 180)} min` }),
  },
  {
    key: "album",
    match: /./,
    roots: /Movies & Music/i,
    media: true,
    brands: ["Columbia", "Atlantic", "Capitol", "Def Jam", "Interscope", "Blue Note", "Sub Pop", "Warner Records", "Nonesuch", "Rounder"],
    price: [9, 39],
    name: (g) => `${artist(g)} - ${g.rng.chance(0.15) ? `Live at the ${g.pick(["Ryman", "Fillmore", "Apollo", "Troubadour", "Royal Albert Hall"])}` : title(g, g.int(1, 2))} (${g.fix("format", () => g.pick(["Vinyl LP", "CD", "Deluxe 2-CD", "Colored Vinyl"]))})`,
    lead: (g) => `This ${g.leaf} ${/vinyl/i.test(g.fix("format", () => "CD")) ? "record" : "album"} from ${g.brand}`,
    pitch: ["collects fan favorites alongside previously unreleased tracks", "is newly remastered from the original tapes"],
    attrs: (g) => ({ genre: g.leaf, format: g.fix("format", () => "CD"), tracks: String(g.int(8, 22)) }),
  },
  {
    key: "toy",
    match: /./,
    roots: /Toys/i,
    brands: [[/lego|building/i, ["LEGO", "Mega Bloks"]], [/robot|app-enabled|coding/i, ["Sphero", "Wonder Workshop", "UBTECH", "Anki"]], [/remote control|cars|trucks|vehicles|slot|race/i, ["Traxxas", "Hot Wheels", "Carrera", "Sharper Image"]], [/puzzle|board|party|card|games/i, ["Ravensburger", "Hasbro Gaming", "Mattel Games", "Exploding Kittens"]], [/character|pop culture|collectibles|memorabilia/i, ["Funko", "Hasbro", "LEGO", "Jakks Pacific"]], [/scooter|skate|riding/i, ["Razor", "Jetson", "Hover-1"]], [/./, ["LEGO", "Hasbro", "Mattel", "Melissa & Doug", "Funko", "VTech", "LeapFrog"]]],
    price: [9, 399],
    name: (g) => /character toys|pop culture|collectibles|memorabilia/i.test(g.pathText)
      ? `${g.brand} ${g.leaf} ${g.pick(["Collectible Figure", "Plush", "Action Figure", "Building Set", "Vinyl Figure"])}`
      : `${g.brand} ${g.pick(["Creator 3-in-1", "Classic", "Deluxe", "Mini", "Ultimate", "Explorer"])} ${g.noun}${/puzzle|building|lego/i.test(g.leaf) ? ` (${g.pick([100, 250, 500, 1000])} Pieces)` : ""}`,
    pitch: ["sparks hours of creative, screen-free play for the whole family", "is made from safe, durable materials and makes a great gift"],
    attrs: (g) => ({ age: `${g.pick([3, 5, 6, 8, 10, 12, 14])}+`, players: g.pick(["1", "1-4", "2-6", "2+"]) }),
  },
];

const TITLE_WORDS = ["Midnight", "Golden", "Paper", "Iron", "Neon", "Silver", "Velvet", "Northern", "Wild", "Quiet", "Electric", "Hollow", "Crimson", "Lantern", "Horizon", "Harbor", "Ember", "Glass", "River", "Summit", "Orchard", "Static", "Echo", "Meridian", "Tide", "Canyon", "Frontier", "Signal", "Radio", "Kingdom", "Shadow", "Storm", "Comet", "Valley", "Avenue", "Atlas", "Falcon", "Drift", "Harvest", "Sparrow"];
const BAND_NOUNS = ["Sparrows", "Lanterns", "Comets", "Harbors", "Falcons", "Echoes", "Tides", "Canyons", "Rivers", "Signals", "Embers", "Storms", "Kings", "Lines", "Wolves", "Saints"];
const FIRST_NAMES = ["Ada", "Marisol", "Jules", "Dee", "Theo", "Nina", "Omar", "Priya", "Lena", "Marcus", "Iris", "Caleb", "Rosa", "Felix", "June", "Tariq", "Hazel", "Rory", "Mei", "Otis"];
const LAST_NAMES = ["Quinn", "Vega", "Okafor", "Harmon", "Lindqvist", "Moreau", "Castillo", "Bennett", "Nakamura", "Adeyemi", "Sullivan", "Reyes", "Holloway", "Kowalski", "Achebe", "Marsh", "Delacroix", "Park", "Whitfield", "Osei"];

/** A made-up title of `words` capitalized words, e.g. "Crimson Harbor". */
function title(g: Gen, words: number): string {
  const picked: string[] = [];
  while (picked.length < words) {
    const w = g.pick(TITLE_WORDS);
    if (!picked.includes(w)) picked.push(w);
  }
  return picked.join(" ");
}

/** A made-up performer: a person ("Priya Castillo") or a band ("The Velvet Sparrows"). */
function artist(g: Gen): string {
  return g.rng.chance(0.5) ? `${g.pick(FIRST_NAMES)} ${g.pick(LAST_NAMES)}` : `The ${title(g, 1)} ${g.pick(BAND_NOUNS)}`;
}

function platformOf(g: Gen): string {
  return g.fix("platform", () => {
    const named = /\b(ps4|ps3|ps vita|xbox one|xbox 360|wii u|wii|3ds|2ds|ds|pc)\b/i.exec(g.pathText)?.[1]?.toLowerCase();
    return named ? PLATFORM_NAMES[named] : g.pick(["PlayStation 5", "Xbox Series X", "Nintendo Switch", "PC"]);
  });
}

/** Used when no template fits: a sensible name from the category itself and a brand fitting its top level. */
const ROOT_BRANDS: BrandRule = [
  [/TV & Home Theater|Magnolia/i, ["Insignia", "Sony", "Samsung", "LG", "Rocketfish"]],
  [/Audio/i, ["Sony", "Bose", "JBL", "Yamaha", "Insignia"]],
  [/Computers/i, ["Insignia", "Logitech", "HP", "Dell", "Belkin"]],
  [/Cell Phones/i, ["Insignia", "Belkin", "Anker", "Samsung", "Apple"]],
  [/Cameras/i, ["Canon", "Nikon", "Sony", "Insignia", "Lowepro"]],
  [/Appliances/i, ["GE", "Whirlpool", "Frigidaire", "Samsung", "LG"]],
  [/Car Electronics/i, ["Pioneer", "Kenwood", "Metra", "Scosche", "Garmin"]],
  [/Musical Instruments/i, ["Yamaha", "Fender", "Roland", "Hal Leonard", "D'Addario"]],
  [/Video Games/i, ["PowerA", "Nintendo", "Sony", "Microsoft", "Turtle Beach"]],
  [/Health/i, ["Philips", "Omron", "Homedics", "Conair", "Withings"]],
  [/Wearable/i, ["Apple", "Fitbit", "Garmin", "Samsung", "Belkin"]],
  [/Toys/i, ["LEGO", "Hasbro", "Mattel", "Sphero"]],
  [/./, ["Insignia", "Rocketfish", "Dynex", "Best Buy essentials"]],
];
const GENERIC_PITCH = ["is built to last and backed by a manufacturer warranty", "is designed for easy setup and everyday reliability", "combines thoughtful design with dependable performance"];
const SECOND_SENTENCES = [
  "Backed by a {warranty} warranty.",
  "Ships in recyclable packaging.",
  "Rated {rating} out of 5 by verified buyers.",
  "In the box: the {noun}, quick start guide and warranty card.",
  "Free returns within 15 days of delivery.",
];
const MEDIA_SECOND_SENTENCES = ["Ships in recyclable packaging.", "Rated {rating} out of 5 by verified buyers.", "Free returns within 15 days of delivery."];
/** Product names that imply their maker: an "iPhone 6s" category sells Apple phones. */
const BRAND_ALIASES: readonly (readonly [RegExp, string])[] = [
  [/\bi(phone|pad|pod|mac)\b|macbook|apple watch/i, "Apple"],
  [/\bgalaxy\b/i, "Samsung"],
  [/\bxbox\b/i, "Microsoft"],
  [/playstation|\bps\d\b|ps vita|\bpsp\b/i, "Sony"],
  [/\bwii\b|nintendo|\b[23]ds\b/i, "Nintendo"],
  [/\bpixel\b|chromecast/i, "Google"],
  [/kindle|fire tv|amazon fire/i, "Amazon"],
];
/** Leaf names that say nothing about the product; the parent names it instead. */
const UNINFORMATIVE = /^(all|more|other|accessories|general|systems|small|medium|large|misc|products|others?)$/i;

/** The product template for a category path (root first). */
export function kindFor(path: readonly string[]): { key: string; matchedAt: number } {
  const found = findKind(path);
  return found ? { key: found.kind.key, matchedAt: found.level } : { key: "generic", matchedAt: -1 };
}

function findKind(path: readonly string[]): { kind: Kind; level: number } | undefined {
  const root = path[0] ?? "";
  const leafLevel = path.length - 1;
  // The department itself ("Car Electronics & GPS") is too broad to name a product: stop below it.
  for (let level = leafLevel; level >= Math.min(1, leafLevel); level--) {
    // "Earbuds with Microphone" is a kind of earbuds: match the part before "with"/"for".
    const name = cleanCategoryName(path[level]).split(/\s+(?:with|for)\s+/i)[0];
    // "TV & Home Theater Accessories" is about accessories (an accessory noun ends the whole name); otherwise
    // the first part names the product ("CD Players & Recorders" sells CD players), then the whole name.
    const passes: [string, boolean][] = [[name, true], [name.split(/\s*(?:&|,)\s+/)[0], false], [name, false]];
    for (const [candidate, accessoriesOnly] of passes) {
      for (const kind of KINDS) {
        if (accessoriesOnly && !kind.accessory) continue;
        if (kind.roots && !kind.roots.test(root)) continue;
        if (kind.match.source === "." && level !== leafLevel) continue;
        if (!kind.match.test(candidate)) continue;
        return { kind: kind.accessory && level !== leafLevel ? ACCESSORY : kind, level };
      }
    }
  }
  return undefined;
}

/** A product for a leaf category. `path` is the category names from the root down to the leaf. */
export function generateProduct(path: readonly string[], rng: Rng): GeneratedProduct {
  const kind = findKind(path)?.kind;
  const pathText = path.join(" > ");
  const leaf = cleanCategoryName(path[path.length - 1] ?? "Product");
  const brandRules = kind?.brands.length ? kind.brands : ROOT_BRANDS;
  // Rules look below the department: "Toys, Games & Drones" must not make every toy a board game.
  const brandPool = brandsFor(brandRules, kind?.brands.length ? path.slice(1).join(" > ") || pathText : pathText);
  // A category that names a brand ("Samsung Galaxy S6", "Apple Watch") gets that brand when it fits.
  const named = brandPool.find((b) => new RegExp(`\\b${escapeRegExp(b)}\\b`, "i").test(pathText))
    ?? BRAND_ALIASES.find(([re, b]) => re.test(pathText) && brandPool.includes(b))?.[1];
  const brand = named ?? rng.pick(brandPool);
  const fixed = new Map<string, unknown>();
  let noun = singularNoun(leaf === "" || UNINFORMATIVE.test(leaf) ? parentNoun(path) : leaf);
  if (/^accessory$/i.test(noun)) noun = `${singularNoun(parentNoun(path))} Accessory`;
  const g: Gen = {
    rng,
    brand,
    leaf,
    noun: noun.replace(/\bAccessory Accessory\b/, "Accessory"),
    subject: subjectFor(path, kind),
    pathText,
    pick: (values) => rng.pick(values),
    int: (min, max) => rng.int(min, max),
    fix: <T>(key: string, make: () => T): T => {
      if (!fixed.has(key)) fixed.set(key, make());
      return fixed.get(key) as T;
    },
    line: (byBrand, fallback) => rng.pick(byBrand[brand] ?? fallback),
    model: () => modelCode(brand, rng),
    color: () => rng.pick(COLORS),
  };
  const name = dedupeWords(kind ? kind.name(g) : `${brand} ${rng.pick(["Essentials", "Pro", "Select", "Plus", "Classic"])} ${g.noun} ${g.model()}`).slice(0, 200);
  const [min, max] = typeof kind?.price === "function" ? kind.price(g) : kind?.price ?? [9, 199];
  const rating = (3.6 + rng.int(0, 13) / 10).toFixed(1);
  const warranty = rng.pick(WARRANTY);
  const lead = kind?.lead?.(g) ?? (g.noun.toLowerCase().startsWith(brand.toLowerCase()) ? `The ${g.noun}` : `The ${brand} ${g.noun}`);
  const second = rng.pick(kind?.media ? MEDIA_SECOND_SENTENCES : SECOND_SENTENCES)
    .replace("{warranty}", warranty).replace("{rating}", rating).replace("{noun}", g.noun.toLowerCase());
  const description = `${lead} ${rng.pick(kind?.pitch ?? GENERIC_PITCH)}. ${second}`;
  const attributes: Record<string, string> = { ...(kind?.attrs?.(g) ?? { color: g.color() }) };
  if (!kind?.media) Object.assign(attributes, { model: modelNumberOf(name) ?? g.model(), warranty });
  attributes.rating = rating;
  return { name, brand, description, priceMinor: pricePoint(min, max, rng), attributes, kind: kind?.key ?? "generic" };
}

/** The model number already printed in the name ("... TV QN65Q80C"), so attributes agree with it. */
function modelNumberOf(name: string): string | undefined {
  const last = name.split(" ").pop() ?? "";
  return /^(?=.*\d)(?=.*[A-Z])[A-Z0-9-]{4,}$/.test(last) ? last : undefined;
}

/** Log-uniform between min and max dollars, ending in .99 / .49 / .00 like real shelf prices. */
export function pricePoint(minDollars: number, maxDollars: number, rng: Rng): bigint {
  const dollars = Math.exp(Math.log(minDollars) + rng.next() * (Math.log(maxDollars) - Math.log(minDollars)));
  const whole = dollars >= 100 ? Math.round(dollars / 10) * 10 : Math.max(1, Math.round(dollars));
  const cents = rng.pick([99, 99, 99, 49, 0]);
  return BigInt(cents === 0 ? whole * 100 : (whole - 1) * 100 + cents);
}

/** "All Microwaves" -> "Microwaves"; "Micro SD (SD, SDHC, SDXC)" -> "Micro SD". */
export function cleanCategoryName(name: string): string {
  return collapse(name.replace(/\([^)]*\)/g, " ").replace(/^(all|more|other|shop)\s+/i, "").replace(/\s*-\s*best buy$/i, ""));
}

/** A category name as a singular product noun: "Digital TV Tuners & Converters" -> "Digital TV Tuner". */
export function singularNoun(categoryName: string): string {
  let name = cleanCategoryName(categoryName);
  const [head, ...rest] = name.split(/\s+(?:with|for)\s+/i);
  const tail = rest.length ? name.slice(head.length) : "";
  name = head;
  const parts = name.split(/\s*&\s*|\s*,\s*|\s+and\s+/i);
  if (parts.length > 1 && isPlural(lastWord(parts[0]))) name = parts[0];
  const words = name.split(" ");
  words[words.length - 1] = singularWord(words[words.length - 1]);
  return collapse(words.join(" ") + tail);
}

const IRREGULAR: Record<string, string> = {
  mice: "Mouse", accessories: "Accessory", batteries: "Battery", glasses: "Glasses", headphones: "Headphones",
  earbuds: "Earbuds", series: "Series", speakers: "Speaker", bluetooth: "Bluetooth", electronics: "Electronics",
  cds: "CD", dvds: "DVD", tvs: "TV", scissors: "Scissors", supplies: "Supply", knives: "Knife", shelves: "Shelf",
  binoculars: "Binoculars", darts: "Darts", pants: "Pants", shorts: "Shorts", goggles: "Goggles", news: "News",
  games: "Game", covers: "Cover", cases: "Case", boxes: "Box", switches: "Switch", watches: "Watch", benches: "Bench",
  dishes: "Dish", brushes: "Brush", torches: "Torch", couches: "Couch", lenses: "Lens",
};

function singularWord(word: string): string {
  const lower = word.toLowerCase();
  if (IRREGULAR[lower]) return matchCase(IRREGULAR[lower], word);
  if (/[^aeiou]ies$/i.test(word)) return word.slice(0, -3) + "y";
  if (/(ss|us|is|ics)$/i.test(word)) return word;
  if (/(xes|ches|shes|sses)$/i.test(word)) return word.slice(0, -2);
  if (/[^s]s$/i.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

function isPlural(word: string): boolean {
  return singularWord(word) !== word;
}

function matchCase(replacement: string, original: string): string {
  return original === original.toLowerCase() ? replacement.toLowerCase() : replacement;
}

function lastWord(s: string): string {
  const words = s.trim().split(/\s+/);
  return words[words.length - 1] ?? "";
}

function parentNoun(path: readonly string[]): string {
  for (let i = path.length - 2; i >= 0; i--) {
    const n = cleanCategoryName(path[i]);
    if (n && !UNINFORMATIVE.test(n)) return n;
  }
  return "Product";
}

/** What an accessory is for: the category name minus the accessory words ("iPhone 6s Cases" -> "iPhone 6s"). */
function subjectFor(path: readonly string[], kind: Kind | undefined): string {
  const strip = kind?.subjectWords;
  if (!strip) return kind?.defaultSubject ?? "most devices";
  for (let i = path.length - 1; i >= 1; i--) {
    const rest = collapse(cleanCategoryName(path[i]).replace(strip, " ").replace(/\s*[,/]\s*$/, ""));
    if (/[A-Za-z]{2}/.test(rest) && !UNINFORMATIVE.test(rest) && !/^(cell phone|mp3 player|smartphone|camera|camcorder)$/i.test(rest)) return singularSubject(rest);
  }
  return kind?.defaultSubject ?? "most devices";
}

function singularSubject(s: string): string {
  // "Cell Phone" stays, "Tablets" -> "Tablets" is fine as "for Tablets"; only trim a trailing "Accessories".
  return collapse(s.replace(/\baccessories\b/i, ""));
}

function brandsFor(brands: readonly string[] | BrandRule, pathText: string): readonly string[] {
  if (brands.length === 0) return ["Insignia"];
  if (typeof brands[0] === "string") return brands as readonly string[];
  for (const [re, list] of brands as BrandRule) if (re.test(pathText)) return list;
  return ["Insignia"];
}

/** A model number that looks like one: letters from the brand, digits, an optional suffix. */
function modelCode(brand: string, rng: Rng): string {
  const letters = brand.toUpperCase().replace(/[^A-Z]/g, "");
  const consonants = letters.replace(/[AEIOU]/g, "");
  const prefix = (consonants.length >= 2 ? consonants : letters.padEnd(2, "X")).slice(0, rng.int(2, 3));
  const digits = String(rng.int(100, 9999));
  const suffix = rng.pick(["", "", "B", "W", "X", "-BK", "2", "S"]);
  return rng.chance(0.5) ? `${prefix}-${digits}${suffix}` : `${prefix}${digits}${suffix}`;
}

/** "Roku Roku Express", "Bluetooth Bluetooth Keyboard": a word repeated next to itself is said once. */
function dedupeWords(s: string): string {
  return collapse(s).replace(/\b([\w'+.-]+)(?: \1\b)+/gi, "$1");
}

function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
