// Opening the sign-in link signs in at once: this page posts its own form. A link preview
// (which runs no scripts) only sees the page, so it cannot use the single-use link up.
(function () {
  var form = document.getElementById("signin");
  if (form) {
    form.submit();
  }
})();
