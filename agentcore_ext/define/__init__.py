"""The agent as it is defined: facts from every source that defines it (code scan, deployed runtime, IaC template,
.bedrock_agentcore.yaml, team defaults, flags), each with its source, merged once per run. Pure, but for the
readers that take a file's text or an AWS answer as input (they never call AWS themselves)."""
