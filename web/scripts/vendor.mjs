// Copies the socket.io browser client from node_modules into vendor/ (committed, 47 KB), so that
// `make run` needs no Node.js and the widget makes no CDN request. socket.io-client 4.x speaks
// Engine.IO v4, the protocol of Rasa 3.6's python-socketio 5.x.
// --check-or-copy: copy when node_modules has it; otherwise keep the committed copy.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(web, "node_modules", "socket.io-client");
if (!existsSync(pkgDir)) {
  if (process.argv.includes("--check-or-copy") && existsSync(join(web, "vendor", "socket.io.min.js"))) process.exit(0);
  console.error("socket.io-client is not installed: run `npm ci` in web/ first");
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
if (!version.startsWith("4.")) {
  console.error(`socket.io-client ${version}: the widget needs 4.x (Engine.IO v4, as Rasa's python-socketio 5.x)`);
  process.exit(1);
}
copyFileSync(join(pkgDir, "dist", "socket.io.min.js"), join(web, "vendor", "socket.io.min.js"));
copyFileSync(join(pkgDir, "LICENSE"), join(web, "vendor", "LICENSE.socket.io-client"));
