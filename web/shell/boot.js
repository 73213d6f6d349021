// Starts the app. A deploy replaces every hashed asset, so a page loaded before it may ask
// for a file that is gone: then reload once to pick up the new index.html, instead of
// leaving a blank page.

// A deep link into pages that are not in the first download: fetch their modules now,
// alongside the app, rather than once the app has started and asks. Both tables are the
// build's: the files of each split module (from wasm-split's loader), and the app's routes
// in the router's order, each with the module its page is in (web/core/src/pages.rs).
const pageModules = @PAGE_MODULES@;
const pageRoutes = @PAGE_ROUTES@;
const route = pageRoutes.find(({ pattern }) => new RegExp(pattern).test(location.pathname));
for (const file of pageModules[route?.module] ?? []) {
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "fetch";
  link.crossOrigin = "anonymous";
  link.href = "@APP_DIR@/" + file;
  document.head.append(link);
}

const marker = "reloaded-for";
// Imported here, not at the top, so the page modules above are asked for first, and a
// missing app.js is caught like a missing app.wasm.
import("@APP_JS@")
  .then(({ default: init }) => init({ module_or_path: "@APP_WASM@" }))
  .then(
    () => sessionStorage.removeItem(marker),
    (error) => {
      console.error("the app failed to start", error);
      if (sessionStorage.getItem(marker) !== "@APP_WASM@") {
        sessionStorage.setItem(marker, "@APP_WASM@");
        location.reload();
        return;
      }
      const notice = document.getElementById("boot-error");
      if (notice) notice.hidden = false;
    },
  );
