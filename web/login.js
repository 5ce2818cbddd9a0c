// vigil web viewer: the login page.  A link of the form /login#token=HEX
// (what `vigil status` prints) fills the form and submits it; the token
// never goes into a URL the server or a proxy sees, and the fragment is
// cleared from the history entry first.
'use strict';
(function () {
	const form = document.getElementById('login');
	const input = document.getElementById('token');
	if (new URLSearchParams(location.search).get('failed') === '1')
		document.getElementById('failed').hidden = false;
	const fromLink = () => {
		const m = /^#token=([0-9a-f]{64})$/.exec(location.hash);
		if (!m)
			return false;
		history.replaceState(null, '', '/login');
		input.value = m[1];
		form.submit();
		return true;
	};
	// the same page opened again with a token only changes the fragment
	window.addEventListener('hashchange', fromLink);
	if (!fromLink())
		input.focus();
})();
