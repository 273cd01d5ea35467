// Names the browser and operating system in a User-Agent header, for the meeting history. Covers the
// browsers people meet with here; anything else is 'Other'. Browsers lie in their User-Agent (every
// Chromium browser says "Chrome" and "Safari"), so the rules run from the most specific token down.

export interface ClientSoftware {
  /** 'Chrome 126', 'Yandex Browser 24', 'Safari 17', … or 'Other'. */
  browser: string
  /** 'Windows', 'macOS', 'Linux', 'Android 14', 'iOS 17', 'ChromeOS', or 'Other'. */
  os: string
}

interface Rule {
  name: string
  /** The first group is the major version. */
  pattern: RegExp
  /** Tokens that mean another browser wearing this one's name. */
  unless?: RegExp
}

const BROWSERS: Rule[] = [
  { name: 'Edge', pattern: /\bEdg(?:e|A|iOS)?\/(\d+)/ },
  { name: 'Yandex Browser', pattern: /\bYaBrowser\/(\d+)/ },
  { name: 'Opera', pattern: /\b(?:OPR|OPT|OPX)\/(\d+)/ },
  { name: 'Opera', pattern: /\bOpera\b.*\bVersion\/(\d+)/ },
  { name: 'Firefox', pattern: /\b(?:Firefox|FxiOS)\/(\d+)/, unless: /\bSeaMonkey\// },
  { name: 'Chromium', pattern: /\bChromium\/(\d+)/ },
  // Other Chromium browsers that still name themselves; they are not Chrome.
  { name: 'Chrome', pattern: /\b(?:HeadlessChrome|Chrome|CriOS)\/(\d+)/, unless: /\b(?:SamsungBrowser|UCBrowser|MiuiBrowser|Vivaldi|Whale|Silk)\// },
  // Safari names its own version in Version/; Android's old WebView and in-app browsers do not.
  { name: 'Safari', pattern: /\bVersion\/(\d+)(?:\.\d+)*(?: Mobile\/\w+)? Safari\//, unless: /\b(?:Android|CriOS|FxiOS|GSA)\b/ },
]

const OPERATING_SYSTEMS: Rule[] = [
  { name: 'iOS', pattern: /\b(?:iPhone|iPad|iPod)\b.*?\bOS (\d+)_/ },
  { name: 'iOS', pattern: /\b(?:iPhone|iPad|iPod)\b()/ },
  { name: 'Android', pattern: /\bAndroid (\d+)/ },
  { name: 'Android', pattern: /\bAndroid\b()/ },
  { name: 'ChromeOS', pattern: /\bCrOS\b()/ },
  { name: 'Windows', pattern: /\bWindows\b()/, unless: /\bWindows Phone\b/ },
  { name: 'macOS', pattern: /\bMac OS X\b|\bMacintosh\b()/ },
  { name: 'Linux', pattern: /\bLinux\b|\bX11\b()/ },
]

function pick(rules: Rule[], ua: string): string {
  for (const rule of rules) {
    const m = rule.pattern.exec(ua)
    if (!m || rule.unless?.test(ua)) continue
    return m[1] ? `${rule.name} ${m[1]}` : rule.name
  }
  return 'Other'
}

/** parseUserAgent names the browser (with its major version) and OS of `ua`; unknown parts are 'Other'. */
export function parseUserAgent(ua: string | undefined): ClientSoftware {
  if (!ua) return { browser: 'Other', os: 'Other' }
  return { browser: pick(BROWSERS, ua), os: pick(OPERATING_SYSTEMS, ua) }
}
