// The sandbox's Slack stand-in: the `emulate` Slack Web API on a loopback port.
//
// Usage: node care_bot/sandbox/emulator.mjs SEED.json
// SEED.json is emulate's own seed ({"slack": {team, users, channels, oauth_apps, tokens}}).
// Prints one line `READY {"url": ...}` on stdout, then runs until stdin closes or a signal.
import net from "node:net";
import { readFileSync } from "node:fs";
import { createEmulator } from "emulate";

const HOST = "127.0.0.1";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function start(seed) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://${HOST}:${port}`;
    try {
      const emulator = await createEmulator({ service: "slack", port, hostname: HOST, baseUrl: url, seed });
      return { emulator, url };
    } catch (error) {
      if (error?.code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
}

async function main() {
  const seed = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const { emulator, url } = await start(seed);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emulator.close().finally(() => process.exit(0));
  };
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.stdout.write(`READY ${JSON.stringify({ url })}\n`);
}

main().catch((error) => {
  process.stderr.write(`[sandbox emulator] failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
