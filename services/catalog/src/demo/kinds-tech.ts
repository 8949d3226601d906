// Product templates for accessories, TV and audio, musical instruments and computers (demo data).
import { ACCESSORY, head, type Kind } from "./kinds.js";

export const TECH_KINDS: readonly Kind[] = [
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
];
