// Starts the app. A deploy replaces every hashed asset, so a page loaded before it may ask
// for a file that is gone: then reload once to pick up the new index.html, instead of
// leaving a blank page.

// A deep link into pages that are not in the first download (web/app/src/app.rs): fetch
// their modules now, alongside the app, rather than once the app has started and asks.
const pageModules = @PAGE_MODULES@;
const deepLinks = [
  [/^\/flights\/?$/, "results_page"],
  [/^\/book\//, "booking_page"],
  [/^\/(trips|profile)(\/|$)/, "account_page"],
];
const group = deepLinks.find(([path]) => path.test(location.pathname))?.[1];
for (const file of pageModules[group] ?? []) {
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
