// Sekisho console: small progressive touches only; every page works without this file.
// A button with data-confirm asks before it submits (e.g. a decision that stops a route).
document.addEventListener('click', function (e) {
  var b = e.target.closest('[data-confirm]');
  if (b && !window.confirm(b.getAttribute('data-confirm'))) {
    e.preventDefault();
  }
});
