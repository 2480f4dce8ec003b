/* The design recovery page (app/storefront/recovery.py on Luneo and through Shopify's app proxy;
   the WordPress plugin's class-luneo-recovery.php on a WooCommerce store): the editor's "add to
   cart" step, named "recovery" in the page's config, attaches the saved design to the order line
   instead. Its draft is the product page's (localStorage, the key cart.js's draftKey makes). */
import { signedPage } from './signed_page.js';

signedPage({
  name: 'recovery',
  adapter: 'recovery',
  draftKey: function (config) {
    return 'luneo:draft:' + (config.platform || 'shop') + ':' + config.productId;
  },
});
