/* The pay page with Stripe: the Payment Element collects the card (card details go to Stripe,
 * never to us). On submit the page first asks our server to check the quote and the total
 * (a changed quote reloads the page to show what changed), then confirms with Stripe, which
 * returns the buyer to this page; the server then takes Stripe's word for the result. */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || !form.dataset.stripeKey || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.stripeKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var errorBox = document.getElementById("payment-error");
  var button = form.querySelector("[type=submit]");

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    fetch(window.location.pathname, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.reload) { window.location.reload(); return; }
        if (answer.error) { fail(answer.error.message); return; }
        return elements.fetchUpdates().then(function () {
          return stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } });
        }).then(function (result) {
          if (result && result.error) fail(result.error.message);
        });
      })
      .catch(function () { fail(form.dataset.networkError || "Network error: try again."); });
  });
})();
