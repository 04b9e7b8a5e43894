// @-mentions in comment boxes: a form with data-mentions="<url>" suggests the project's members
// while "@name" is typed; choosing one completes "@username ". Names are shown with textContent
// (never as markup), and the server answers members of the project only.
// A form swapped in by htmx (the version's comments after a post) is set up as it arrives.
(() => {
  const attach = (form) => {
    const box = form.querySelector("textarea");
    if (!box || form.dataset.mentionsReady) {
      return;
    }
    form.dataset.mentionsReady = "1";
    const list = document.createElement("div");
    list.className = "list-group mention-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.after(list);
    let asked = 0;

    const wordAtCaret = () => {
      const before = box.value.slice(0, box.selectionStart);
      const match = /(^|[^\w@.+-])@([\w.+-]*)$/.exec(before);
      return match ? { prefix: match[2], start: before.length - match[2].length - 1 } : null;
    };

    const close = () => {
      list.hidden = true;
      list.replaceChildren();
    };

    const choose = (username, start) => {
      const end = box.selectionStart;
      box.value = `${box.value.slice(0, start)}@${username} ${box.value.slice(end)}`;
      const caret = start + username.length + 2;
      box.setSelectionRange(caret, caret);
      close();
      box.focus();
    };

    box.addEventListener("input", async () => {
      const word = wordAtCaret();
      if (!word) {
        close();
        return;
      }
      const ticket = ++asked;
      const url = `${form.dataset.mentions}?q=${encodeURIComponent(word.prefix)}`;
      let members = [];
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        members = response.ok ? (await response.json()).members : [];
      } catch {
        members = [];
      }
      if (ticket !== asked) {
        return; // a later keystroke asked again meanwhile
      }
      list.replaceChildren();
      members.forEach((member) => {
        const option = document.createElement("button");
        option.type = "button";
        option.className = "list-group-item list-group-item-action py-1";
        option.setAttribute("role", "option");
        option.textContent = `${member.name} (@${member.username})`;
        option.addEventListener("click", () => choose(member.username, word.start));
        list.append(option);
      });
      list.hidden = members.length === 0;
    });

    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
  };

  const attachWithin = (root) => {
    if (root.matches && root.matches("form[data-mentions]")) {
      attach(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("form[data-mentions]").forEach(attach);
    }
  };

  document.addEventListener("DOMContentLoaded", () => attachWithin(document));
  document.addEventListener("htmx:load", (event) => attachWithin(event.detail.elt));
})();
