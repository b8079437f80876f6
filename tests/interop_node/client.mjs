// Drives the npm FTP client basic-ftp through a list of operations, for ftpspecd interop tests
// (tests/test_server_basicftp.py).
//
//   node client.mjs URL OPERATIONS_JSON
//
// URL: ftp://USER:PASS@HOST:PORT (clear) or ftpes://USER:PASS@HOST:PORT (explicit TLS, RFC 4217:
// AUTH TLS, PBSZ 0, PROT P; the certificate is not verified: tests use a self-signed one).
// OPERATIONS_JSON: a JSON array of objects, run in order:
//   {"op": "upload",   "local": PATH, "remote": NAME}
//   {"op": "append",   "local": PATH, "remote": NAME}
//   {"op": "download", "remote": NAME, "local": PATH, "startAt": BYTES}   (startAt: REST resume)
//   {"op": "list",     "path": DIR, "command": "LIST"}   (command: force one list command)
//   {"op": "size",     "remote": NAME}
//   {"op": "mkdir",    "remote": DIR}      (ensureDir: MKD + CWD)
//   {"op": "cd",       "remote": DIR}
//   {"op": "rename",   "from": NAME, "to": NAME}
//   {"op": "remove",   "remote": NAME}
//   {"op": "pasv"}     (use PASV instead of EPSV for the transfers that follow)
// The last stdout line is "RESULT " + JSON: {"ok": true, "results": [...]} with one entry per
// operation (list entries as {name, size, type: "file"|"dir"|...}), or {"ok": false, "error",
// "code"} (code: the FTP reply code when the server refused). Exit status 0 / 1 accordingly.
// The protocol log (basic-ftp verbose) goes to stderr.
import * as ftp from "basic-ftp";
import { accessUrl } from "./access.mjs";

const [url, operationsJson] = process.argv.slice(2);
if (!url || !operationsJson) {
  process.stderr.write("usage: node client.mjs URL OPERATIONS_JSON\n");
  process.exit(2);
}
console.log = (...args) => process.stderr.write(args.join(" ") + "\n");  // verbose log -> stderr

const target = new URL(url);
const secure = target.protocol === "ftpes:";
const typeNames = { [ftp.FileType.File]: "file", [ftp.FileType.Directory]: "dir", [ftp.FileType.SymbolicLink]: "link" };

async function run(client, operation) {
  switch (operation.op) {
    case "upload": return (await client.uploadFrom(operation.local, operation.remote)).code;
    case "append": return (await client.appendFrom(operation.local, operation.remote)).code;
    case "download": return (await client.downloadTo(operation.local, operation.remote, operation.startAt ?? 0)).code;
    case "list": {
      if (operation.command) client.availableListCommands = [operation.command];
      const entries = await client.list(operation.path ?? "");
      return entries.map((entry) => ({ name: entry.name, size: entry.size, type: typeNames[entry.type] ?? "unknown" }));
    }
    case "size": return await client.size(operation.remote);
    case "mkdir": await client.ensureDir(operation.remote); return await client.pwd();
    case "cd": return (await client.cd(operation.remote)).code;
    case "rename": return (await client.rename(operation.from, operation.to)).code;
    case "remove": return (await client.remove(operation.remote)).code;
    case "pasv": client.prepareTransfer = ftp.enterPassiveModeIPv4; return "PASV";
    default: throw new Error(`unknown operation '${operation.op}'`);
  }
}

const client = new ftp.Client(20000);  // every wait of the client is bounded
client.ftp.verbose = true;
const results = [];
let exitCode = 0;
try {
  await accessUrl(client, target, secure);
  for (const operation of JSON.parse(operationsJson)) results.push(await run(client, operation));
  process.stdout.write("RESULT " + JSON.stringify({ ok: true, results }) + "\n");
} catch (error) {
  exitCode = 1;
  process.stdout.write("RESULT " + JSON.stringify({ ok: false, error: String(error?.message ?? error), code: error?.code ?? null, results }) + "\n");
} finally {
  client.close();
}
process.exit(exitCode);
