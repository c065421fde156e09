// One way for the site's scripts to send something to the app: a POST with
// the CSRF token, the login's cookies, and no redirect followed (a redirect
// to the login page means the login has ended, which the caller says). Every
// address comes from the page itself: a form's action or a data-* attribute,
// never written here.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return cookie ? decodeURIComponent(cookie[1]) : "";
  }

  // body: FormData or URLSearchParams. options.keepalive: the page is closing.
  function post(url, body, options) {
    options = options || {};
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      keepalive: Boolean(options.keepalive),
      headers: {
        "X-CSRFToken": csrfToken(),
        // The app answers these with JSON rather than a page (writing.is_autosave).
        "X-Requested-With": "fetch",
        "Accept": "application/json"
      }
    });
  }

  window.peerSupportHttp = { post: post };
})();
