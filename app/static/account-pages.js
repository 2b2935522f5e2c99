// Posts the token of the page's link (and a new password, if asked) to the JSON API.
const form = document.querySelector("form[data-endpoint]");
const result = document.getElementById("result");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { token: new URLSearchParams(location.search).get("token") || "" };
  const password = form.querySelector("input[name=password]");
  if (password) body.password = password.value;
  const response = await fetch(form.dataset.endpoint, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (response.ok) {
    result.textContent = "Done.";
    form.hidden = true;
    return;
  }
  const problem = await response.json();
  const details = Object.values(problem.errors || {}).flat().join(" ");
  result.textContent = `${problem.detail} ${details}`;
});
