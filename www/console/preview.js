// The console's live preview: the real widget, inline, for the signed-in shop — as a guest
// (?mode=guest) or as the member "preview" (?mode=member), whose token the console signed and left
// in this tab's sessionStorage (same origin; never in the URL).
const mode = new URLSearchParams(location.search).get("mode");
const shop = sessionStorage.getItem("punchcard.shop");
const token = sessionStorage.getItem("punchcard.preview_token");
const card = document.getElementById("card");
if (!shop) {
  card.textContent = "Sign in to the console to see the preview.";
} else {
  const script = document.createElement("script");
  script.src = "/widget.js";
  script.async = true;
  script.dataset.shop = shop;
  script.dataset.mode = "inline";
  script.dataset.target = "#card";
  if (mode === "member" && token) script.dataset.customerToken = token;
  document.body.append(script);
}
