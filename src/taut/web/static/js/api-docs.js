// Starts Swagger UI on the API docs page (an external script: the content security policy forbids inline code).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec"), dom_id: "#swagger-ui", deepLinking: true });
})();
