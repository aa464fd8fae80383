// The connectors screen: the workspace's HTTP connectors and MCP servers, their actions and status.
export function ConnectorsScreen() {
  return (
    <section className="connectors" aria-label="Connectors">
      <h1>Connectors</h1>
    </section>
  );
}
