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
		'recovery'  => 'luneo-recovery.js',
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
		if ( null !== self::customizable_product() ) {
			self::enqueue_loader();
		}
	}

	/**
	 * What every page that opens the editor gives the loader: the editor's files, the button's
	 * look, the store's language (camelCase keys, as the README documents them).
	 */
	public static function editor_config() {
		$colors = array_filter(
			array(
				'button'     => (string) get_option( 'luneo_button_color', '' ),
				'buttonText' => (string) get_option( 'luneo_button_text_color', '' ),
			)
		);
		return array(
			'editorUrl'    => self::asset_url( self::ASSETS['editor'] ),
			'editorCssUrl' => self::asset_url( self::ASSETS['editorCss'] ),
			'viewerUrl'    => self::asset_url( self::ASSETS['viewer'] ),
			'colors'       => (object) $colors,
			'locale'       => get_locale(),
			'strings'      => array(
				'load_failed' => __( 'The editor could not load. Please try again.', 'luneo-personalizer' ),
			),
		);
	}

	/**
	 * The config object for the product page's loader.
	 *
	 * @param WC_Product $product The product on the page.
	 */
	public static function config( $product ) {
		$label = (string) get_option( 'luneo_button_label', '' );
		return array_merge(
			self::editor_config(),
			array(
				'platform'         => 'woocommerce',
				'apiBase'          => Luneo_Api::base(),
				'apiKey'           => (string) get_option( 'luneo_key', '' ),
				'productId'        => (string) $product->get_id(),
				'variantId'        => (string) $product->get_id(),
				'variantSelector'  => 'form.cart [name="variation_id"]',
				'cart'             => array(
					'adapter'      => 'form',
					'form'         => 'form.cart',
					'designField'  => Luneo_Cart::DESIGN_FIELD,
					'summaryField' => Luneo_Cart::SUMMARY_FIELD,
				),
				'label'            => '' !== $label ? $label : __( 'Customize', 'luneo-personalizer' ),
				'quantitySelector' => 'form.cart [name="quantity"]',
			)
		);
	}

	/**
	 * The loader's element: the config as inert JSON inside the root the loader looks for.
	 *
	 * @param array  $config   The config object.
	 * @param string $noscript What to say without JavaScript.
	 */
	public static function root_html( $config, $noscript ) {
		$json = wp_json_encode( $config, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES );
		return '<div class="luneo-root" data-luneo-root style="display:flow-root;min-height:60px">'
			. '<script type="application/json" data-luneo-config>' . $json . '</script>' // JSON with <, >, &, ' and " hex-escaped: inert inside <script>.
			. '<noscript><p class="luneo-note">' . esc_html( $noscript ) . '</p></noscript>'
			. '</div>';
	}

	/**
	 * The loader, deferred (the product page, and the recovery page).
	 */
	public static function enqueue_loader() {
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
	 * The root element the loader turns into the Customize button (inside form.cart).
	 */
	public static function render_root() {
		$product = self::customizable_product();
		if ( null === $product ) {
			return;
		}
		echo self::root_html( self::config( $product ), __( 'Turn on JavaScript to personalize this product.', 'luneo-personalizer' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- root_html escapes its parts.
	}
}
