// The API reference page: Swagger UI (vendored) renders the app's own OpenAPI document.
// Kept out of the template because the CSP allows no inline scripts.
"use strict";

// Show each operation under the path people actually call (/api/v2/connectors/…, as in
// the README's curl examples) rather than relative to a "/api/v2" server.
function withFullPaths(documentJson) {
  const servers = documentJson.servers || [];
  if (servers.length !== 1 || !servers[0].url.startsWith("/")) return documentJson;
  const base = servers[0].url.replace(/\/$/, "");
  const paths = {};
  for (const [path, item] of Object.entries(documentJson.paths)) paths[base + path] = item;
  const { servers: _relative, ...rest } = documentJson;
  return { ...rest, paths };
}

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  fetch(root.dataset.specUrl, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`openapi.json answered ${response.status}`);
      return response.json();
    })
    .then((documentJson) => {
      window.ui = window.SwaggerUIBundle({
        spec: withFullPaths(documentJson),
        domNode: root,
        presets: [window.SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        deepLinking: true,
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
        // No call to the public validator service: the page works offline.
        validatorUrl: null,
        // A typed key is forgotten on reload rather than kept in localStorage.
        persistAuthorization: false,
      });
    })
    .catch((error) => {
      root.textContent = `The API description could not be loaded (${error.message}).`;
      root.classList.add("alert", "alert-danger");
    });
});
