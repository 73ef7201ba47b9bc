// The README's picture: a screenshot of one page of a running wenku, in Debian's Chromium.
//   node tests/browser/screenshot.mjs http://127.0.0.1:8080/d/8 docs/screenshot-document.png
import { chromium } from "playwright-core";

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node tests/browser/screenshot.mjs URL OUTPUT.png");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 }, locale: "zh-CN" });
  const response = await page.goto(url, { waitUntil: "networkidle" });
  if (!response.ok()) throw new Error(`${url}: HTTP ${response.status()}`);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
