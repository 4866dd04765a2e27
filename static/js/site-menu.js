/*
 * The header menu (a <details> in templates/base.html): open on wide screens, where its panel
 * is the row of links; closed on small screens until its "Menu" button is pressed. There it
 * closes again with Escape (the focus returns to the button), when the focus moves on past its
 * last link, and with a tap outside it. Without this script the button simply opens and closes
 * the menu on every screen.
 */
(function () {
  "use strict";
  var menu = document.querySelector("[data-site-menu]");
  if (!menu) return;
  var wide = window.matchMedia("(min-width: 62em)");

  function sync() {
    menu.open = wide.matches;
  }

  function collapsible() {
    return menu.open && !wide.matches;
  }

  sync();
  wide.addEventListener("change", sync);

  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && collapsible()) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  menu.addEventListener("focusout", function (event) {
    if (collapsible() && event.relatedTarget && !menu.contains(event.relatedTarget)) {
      menu.open = false;
    }
  });
  document.addEventListener("click", function (event) {
    if (collapsible() && !menu.contains(event.target)) {
      menu.open = false;
    }
  });
})();
