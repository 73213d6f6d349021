// Starts the app. A deploy replaces every hashed asset, so a page loaded before it may ask
// for a file that is gone: then reload once to pick up the new index.html, instead of
// leaving a blank page.
import init from "@APP_JS@";

const marker = "reloaded-for";
init({ module_or_path: "@APP_WASM@" }).then(
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
