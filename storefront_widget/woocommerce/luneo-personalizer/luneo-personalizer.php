<?php
/**
 * Plugin Name:       Luneo Personalizer
 * Plugin URI:        https://luneo.app/
 * Description:       Lets shoppers personalize products (text, photos, clipart) with a live preview; the design travels with the order to Luneo for print-ready files.
 * Version:           1.2.0
 * Requires at least: 6.3
 * Requires PHP:      7.4
 * Requires Plugins:  woocommerce
 * Author:            Luneo
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       luneo-personalizer
 * Domain Path:       /languages
 * WC requires at least: 7.0
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

define( 'LUNEO_PERSONALIZER_VERSION', '1.2.0' );
define( 'LUNEO_PERSONALIZER_FILE', __FILE__ );
define( 'LUNEO_PERSONALIZER_DIR', plugin_dir_path( __FILE__ ) );

// The design id travels under this order item meta key; Luneo's order sync reads it
// (connectors/base.py DESIGN_PROPERTY). The leading underscore hides it from shoppers.
define( 'LUNEO_DESIGN_META', '_luneo_design' );
define( 'LUNEO_PREVIEW_META', '_luneo_preview' );
// The surcharge charged per unit (Luneo's amount string) and its currency: the order sync reads
// them (connectors/base.py SURCHARGE_PROPERTY) to tell a paid personalization from an unpaid one.
define( 'LUNEO_SURCHARGE_META', '_luneo_surcharge' );
define( 'LUNEO_CURRENCY_META', '_luneo_currency' );

require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-api.php';
require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-settings.php';
require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-product.php';
require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-price.php';
require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-cart.php';
require_once LUNEO_PERSONALIZER_DIR . 'includes/class-luneo-recovery.php';

add_action(
	'before_woocommerce_init',
	static function () {
		// Order item meta is all this plugin touches: compatible with HPOS order storage.
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', LUNEO_PERSONALIZER_FILE, true );
		}
	}
);

add_action(
	'plugins_loaded',
	static function () {
		load_plugin_textdomain( 'luneo-personalizer', false, dirname( plugin_basename( LUNEO_PERSONALIZER_FILE ) ) . '/languages' );
		Luneo_Settings::init();
		if ( ! class_exists( 'WooCommerce' ) ) {
			add_action( 'admin_notices', array( 'Luneo_Settings', 'woocommerce_missing_notice' ) );
			return;
		}
		Luneo_Product::init();
		Luneo_Cart::init();
		Luneo_Recovery::init();
	}
);
