<?php
/**
 * The Customize button on product pages of customizable products, and the editor's loader.
 *
 * The page gets one root element holding the config object the loader reads (see
 * storefront_widget/README.md), inside the add-to-cart form so the editor's "form" cart adapter
 * can put the design id into it and submit it. The loader is deferred and loads the editor only
 * when a shopper clicks.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * Product page integration.
 */
class Luneo_Product {

	const ASSETS = array(
		'loader'    => 'luneo-loader.js',
		'editor'    => 'luneo-editor.js',
		'editorCss' => 'luneo-editor.css',
		'viewer'    => 'luneo-viewer.js',
	);

	/**
	 * Hook the product page.
	 */
	public static function init() {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_action( 'woocommerce_before_add_to_cart_button', array( __CLASS__, 'render_root' ) );
	}

	/**
	 * The URL of one of the editor's files: the plugin's own copy (packaged with it), or the
	 * copy Luneo serves when the plugin runs from a checkout without packaged assets.
	 *
	 * @param string $name File name in assets/.
	 */
	public static function asset_url( $name ) {
		if ( file_exists( LUNEO_PERSONALIZER_DIR . 'assets/' . $name ) ) {
			return plugins_url( 'assets/' . $name, LUNEO_PERSONALIZER_FILE );
		}
		return untrailingslashit( (string) get_option( 'luneo_url', '' ) ) . '/storefront/widget/' . $name;
	}

	/**
	 * The product shown on this page, if it is one Luneo can personalize.
	 *
	 * @return WC_Product|null
	 */
	private static function customizable_product() {
		if ( ! is_product() ) {
			return null;
		}
		$product = wc_get_product( get_queried_object_id() );
		if ( ! $product || ! Luneo_Api::is_customizable( $product->get_id() ) ) {
			return null;
		}
		return $product;
	}

	/**
	 * The loader, deferred, on customizable product pages only.
	 */
	public static function enqueue() {
		if ( null === self::customizable_product() ) {
			return;
		}
		wp_enqueue_script(
			'luneo-loader',
			self::asset_url( self::ASSETS['loader'] ),
			array(),
			LUNEO_PERSONALIZER_VERSION,
			array(
				'in_footer' => true,
				'strategy'  => 'defer',
			)
		);
	}

	/**
	 * The config object for the loader (camelCase keys, as the README documents them).
	 *
	 * @param WC_Product $product The product on the page.
	 */
	public static function config( $product ) {
		$colors = array_filter(
			array(
				'button'     => (string) get_option( 'luneo_button_color', '' ),
				'buttonText' => (string) get_option( 'luneo_button_text_color', '' ),
			)
		);
		$label  = (string) get_option( 'luneo_button_label', '' );
		return array(
			'platform'         => 'woocommerce',
			'apiBase'          => Luneo_Api::base(),
			'apiKey'           => (string) get_option( 'luneo_key', '' ),
			'productId'        => (string) $product->get_id(),
			'variantId'        => (string) $product->get_id(),
			'variantSelector'  => 'form.cart [name="variation_id"]',
			'editorUrl'        => self::asset_url( self::ASSETS['editor'] ),
			'editorCssUrl'     => self::asset_url( self::ASSETS['editorCss'] ),
			'viewerUrl'        => self::asset_url( self::ASSETS['viewer'] ),
			'cart'             => array(
				'adapter'      => 'form',
				'form'         => 'form.cart',
				'designField'  => Luneo_Cart::DESIGN_FIELD,
				'summaryField' => Luneo_Cart::SUMMARY_FIELD,
			),
			'label'            => '' !== $label ? $label : __( 'Customize', 'luneo-personalizer' ),
			'colors'           => (object) $colors,
			'locale'           => get_locale(),
			'quantitySelector' => 'form.cart [name="quantity"]',
			'strings'          => array(
				'load_failed' => __( 'The editor could not load. Please try again.', 'luneo-personalizer' ),
			),
		);
	}

	/**
	 * The root element the loader turns into the Customize button (inside form.cart).
	 */
	public static function render_root() {
		$product = self::customizable_product();
		if ( null === $product ) {
			return;
		}
		$json = wp_json_encode( self::config( $product ), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES );
		echo '<div class="luneo-root" data-luneo-root>';
		echo '<script type="application/json" data-luneo-config>' . $json . '</script>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON with <, >, &, ' and " hex-escaped: inert inside <script>.
		echo '<noscript><p class="luneo-note">' . esc_html__( 'Turn on JavaScript to personalize this product.', 'luneo-personalizer' ) . '</p></noscript>';
		echo '</div>';
	}
}
