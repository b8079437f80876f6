// Drives the npm FTP client basic-ftp through one operation of a client case, the way a program
// using basic-ftp would write it (scenarios/clients/profiles/basic-ftp.profile).
//
//   node ftpspec_client.mjs OPERATION URL LOCAL [--tls]
//
// OPERATION: download, upload, list (prints one name per line), resume, delete, mkdir. URL:
// ftp://USER:PASS@HOST:PORT/PATH (the path relative to the login directory). --tls: explicit TLS
// (AUTH TLS, PBSZ 0, PROT P), certificate not verified. Exit status 0 when basic-ftp threw
// nothing, 1 when it threw. Lives next to package.json so that "basic-ftp" resolves.
import * as fs from "node:fs";
import * as ftp from "basic-ftp";
import { accessUrl } from "./access.mjs";

const args = process.argv.slice(2).filter((a) => a !== "--tls");
const secure = process.argv.includes("--tls");
if (args.length !== 3) {
  process.stderr.write("usage: node ftpspec_client.mjs OPERATION URL LOCAL [--tls]\n");
  process.exit(2);
}
const [operation, url, local] = args;
const target = new URL(url);
const path = decodeURIComponent(target.pathname.slice(1));
const client = new ftp.Client(5000);  // every wait of the client is bounded
let exitCode = 0;
try {
  await accessUrl(client, target, secure);
  switch (operation) {
    case "download": await client.downloadTo(local, path); break;
    case "resume": {
      const offset = fs.existsSync(local) ? fs.statSync(local).size : 0;
      await client.downloadTo(fs.createWriteStream(local, { flags: "a" }), path, offset);
      break;
    }
    case "upload": await client.uploadFrom(local, path); break;
    case "list":
      for (const entry of await client.list(path.replace(/\/$/, ""))) process.stdout.write(entry.name + "\n");
      break;
    case "delete": await client.remove(path); break;
    case "mkdir": await client.send("MKD " + path); break;
    default: throw new Error(`unknown operation '${operation}'`);
  }
} catch (error) {
  exitCode = 1;
  process.stderr.write(`basic-ftp: ${error?.message ?? error}\n`);
} finally {
  client.close();
}
process.exit(exitCode);
