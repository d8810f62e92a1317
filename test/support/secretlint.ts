/** secretlint with its recommended preset, as an outside judge of text that leaves the process. */
export async function secretlintFindings(content: string, name = "output.txt"): Promise<string[]> {
  const { lintSource } = await import("@secretlint/core");
  const { creator } = await import("@secretlint/secretlint-rule-preset-recommend");
  const result = await lintSource({
    source: { content, filePath: `/virtual/${name}`, contentType: "text" },
    options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator }] } },
  });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}
