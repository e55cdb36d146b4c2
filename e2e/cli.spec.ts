import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { PASSWORD, signIn } from "./helpers";

/** The CLI as a user runs it, with its own config folder, and everything it prints. */
function runCli(args: string[], configHome: string) {
  const child: ChildProcess = spawn("npm", ["run", "--silent", "cli", "--", ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome, DELEGATE_URL: baseURL },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, output, exited };
}

const EMAIL = "carol@example.com";
let configHome: string;
test.beforeAll(async () => {
  configHome = await mkdtemp(path.join(tmpdir(), "delegate cli (e2e) "));
});
test.afterAll(async () => {
  await rm(configHome, { recursive: true, force: true });
});

test("the terminal client signs in with a device code, answers a question, and the chat shows in the web sidebar", async ({ browser }) => {
  test.setTimeout(120_000);
  const login = runCli(["login"], configHome);
  try {
    // The CLI prints the page to open and the code it shows.
    await expect.poll(() => login.output.stdout, { timeout: 30_000 }).toMatch(/check that it shows the code\s+[A-Z]{4}-[A-Z]{4}/);
    const code = /the code\s+([A-Z]{4}-[A-Z]{4})/.exec(login.output.stdout)![1]!;
    const link = /(http:\/\/localhost:\d+\/activate\S*)/.exec(login.output.stdout)![1]!;
    expect(link).toContain(`user_code=${code}`);

    // The user opens it in a browser (another device, as far as the CLI knows), checks the code, confirms, signs in.
    const device = await browser.newContext();
    const activate = await device.newPage();
    await activate.goto(link);
    await expect(activate.getByRole("heading", { name: "Confirm the device" })).toBeVisible();
    await expect(activate.getByText(code, { exact: true })).toBeVisible();
    await activate.getByRole("button", { name: "Confirm" }).click();
    await activate.getByLabel("Email").fill(EMAIL);
    await activate.getByLabel("Password").fill(PASSWORD);
    await activate.getByRole("button", { name: "Sign in" }).click();
    await expect(activate.getByRole("status")).toContainText("is signed in");
    await device.close();

    expect(await login.exited).toBe(0);
    expect(login.output.stdout).toContain(`Signed in to ${baseURL} as ${EMAIL}.`);
  } finally {
    login.child.kill();
  }

  // Only the user can read the tokens.
  const credentials = path.join(configHome, "delegate", "credentials.json");
  expect((await stat(credentials)).mode & 0o777).toBe(0o600);
  expect((await stat(path.dirname(credentials))).mode & 0o777).toBe(0o700);

  const ask = runCli(["ask", "Who am I?"], configHome);
  expect(await ask.exited).toBe(0);
  expect(ask.output.stdout).toContain(EMAIL);
  expect(ask.output.stderr).not.toContain("✗");

  // The same user, in the browser, finds the conversation the terminal started.
  const web = await browser.newContext();
  const page = await web.newPage();
  await signIn(page, EMAIL);
  const chatLink = page.getByRole("navigation", { name: "Chat history" }).getByRole("link", { name: /Who am I\?/ });
  await expect(chatLink).toBeVisible();
  await chatLink.click();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText("Who am I?");
  await expect(page.getByRole("article", { name: "Assistant message" }).last()).toContainText(EMAIL);

  // Activity names the terminal as the way the question came, with the turn's tool call.
  await page.goto("/activity");
  const call = page.getByRole("listitem", { name: "Read the signed-in user's name and email" }).first();
  await expect(call.getByLabel("Evidence")).toContainText(/via › channel\s*terminal/);
  await web.close();
});

test("bad input and a missing sign-in get one clear line, not a stack trace", async () => {
  const elsewhere = await mkdtemp(path.join(tmpdir(), "delegate-cli-none-"));
  try {
    const notSignedIn = runCli(["ask", "What is on my calendar (today)?"], elsewhere);
    expect(await notSignedIn.exited).toBe(1);
    expect(notSignedIn.output.stderr.trim()).toBe(`✗ You are not signed in to ${baseURL}. Run \`npm run cli -- login --url ${baseURL}\` first.`);

    const unknown = runCli(["order-pizza"], elsewhere);
    expect(await unknown.exited).toBe(1);
    expect(unknown.output.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.output.stderr).toContain('Unknown command "order-pizza"');
  } finally {
    await rm(elsewhere, { recursive: true, force: true });
  }
});
