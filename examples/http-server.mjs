// An HTTP server whose error handler reports failures and answers 500; the server keeps serving.
import { createServer } from "node:http";
import { addBreadcrumb, close, getHelper } from "bugbeacon";

const helper = getHelper("github", { repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });

const routes = {
  "/": () => "hello\n",
  "/report": () => {
    const totals = undefined;
    return `${totals.count} results\n`; // TypeError
  },
};

// Error middleware, express-style: every handler runs inside it.
async function withErrorReporting(req, res, handler) {
  try {
    res.end(handler(req));
  } catch (error) {
    res.statusCode = 500;
    res.end("internal error\n");
    await helper.captureException(error, { body: `While serving \`${req.method} ${req.url}\`.` });
  }
}

const server = createServer((req, res) => {
  addBreadcrumb(`${req.method} ${req.url}`);
  const handler = routes[req.url ?? "/"];
  if (!handler) {
    res.statusCode = 404;
    res.end("not found\n");
    return;
  }
  void withErrorReporting(req, res, handler);
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

// On SIGTERM: stop taking requests, give the reports in flight up to 2 s (each is on disk already; what is
// not confirmed by then is sent by the next start or `bugbeacon flush`), then exit.
process.on("SIGTERM", async () => {
  server.close();
  await close(2000);
  console.log("reports flushed, exiting");
  process.exit(0);
});
