/* Swagger UI for /api/v1/docs, from vendored assets; settings come from data attributes. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(root.dataset.settings || "{}");
  var csrf = root.dataset.csrfToken;
  config.url = root.dataset.openapiUrl;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.requestInterceptor = function (req) {
    if (csrf) { req.headers["X-CSRFToken"] = csrf; }
    return req;
  };
  window.ui = SwaggerUIBundle(config);
})();
