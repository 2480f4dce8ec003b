<?php
/**
 * Settings → Luneo Personalizer: where Luneo is, the store's public key, the button's look.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page (Settings API: its nonce, capability check and sanitizing).
 */
class Luneo_Settings {

	const PAGE  = 'luneo-personalizer';
	const GROUP = 'luneo_personalizer';

	/**
	 * Hook the page and its settings.
	 */
	public static function init() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( LUNEO_PERSONALIZER_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param array $links Existing links.
	 */
	public static function action_links( $links ) {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'luneo-personalizer' ) . '</a>' );
		return $links;
	}

	/**
	 * The page under Settings.
	 */
	public static function menu() {
		add_options_page(
			__( 'Luneo Personalizer', 'luneo-personalizer' ),
			__( 'Luneo Personalizer', 'luneo-personalizer' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render' )
		);
	}

	/**
	 * The options, each with its sanitizer.
	 */
	public static function register() {
		register_setting(
			self::GROUP,
			'luneo_url',
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_url' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			'luneo_key',
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_key' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			'luneo_button_label',
			array(
				'type'              => 'string',
				'sanitize_callback' => 'sanitize_text_field',
				'default'           => '',
			)
		);
		foreach ( array( 'luneo_button_color', 'luneo_button_text_color' ) as $option ) {
			register_setting(
				self::GROUP,
				$option,
				array(
					'type'              => 'string',
					'sanitize_callback' => array( __CLASS__, 'sanitize_color' ),
					'default'           => '',
				)
			);
		}
	}

	/**
	 * Luneo's address: an http(s) URL without a trailing slash.
	 *
	 * @param mixed $value Submitted value.
	 */
	public static function sanitize_url( $value ) {
		$url = esc_url_raw( trim( (string) $value ), array( 'https', 'http' ) );
		return untrailingslashit( $url );
	}

	/**
	 * The public storefront key: lpk_ and URL-safe characters.
	 *
	 * @param mixed $value Submitted value.
	 */
	public static function sanitize_key( $value ) {
		$key = trim( (string) $value );
		if ( '' !== $key && 1 !== preg_match( '/^lpk_[A-Za-z0-9_-]{8,60}$/', $key ) ) {
			add_settings_error( 'luneo_key', 'luneo_key', __( 'The key should start with lpk_ — copy it from Luneo again.', 'luneo-personalizer' ) );
			return (string) get_option( 'luneo_key', '' );
		}
		return $key;
	}

	/**
	 * A #rrggbb colour, or '' for the default.
	 *
	 * @param mixed $value Submitted value.
	 */
	public static function sanitize_color( $value ) {
		$color = sanitize_hex_color( trim( (string) $value ) );
		return $color ? $color : '';
	}

	/**
	 * The link that connects this store to Luneo (Luneo then shows the key to paste here).
	 */
	public static function connect_url() {
		$base = untrailingslashit( (string) get_option( 'luneo_url', '' ) );
		if ( '' === $base ) {
			return '';
		}
		return add_query_arg( 'store_url', rawurlencode( home_url() ), $base . '/woocommerce/connect' );
	}

	/**
	 * The settings page.
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$connect = self::connect_url();
		?>
		<div class="wrap">
			<h1><?php echo esc_html( get_admin_page_title() ); ?></h1>
			<p><?php esc_html_e( 'Shoppers personalize products with Luneo’s editor; each order’s design reaches Luneo for print-ready files.', 'luneo-personalizer' ); ?></p>
			<form action="options.php" method="post">
				<?php settings_fields( self::GROUP ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="luneo_url"><?php esc_html_e( 'Luneo URL', 'luneo-personalizer' ); ?></label></th>
						<td><input name="luneo_url" id="luneo_url" type="url" class="regular-text" placeholder="https://luneo.example" value="<?php echo esc_attr( (string) get_option( 'luneo_url', '' ) ); ?>"></td>
					</tr>
					<tr>
						<th scope="row"><label for="luneo_key"><?php esc_html_e( 'Public storefront key', 'luneo-personalizer' ); ?></label></th>
						<td>
							<input name="luneo_key" id="luneo_key" type="text" class="regular-text code" autocomplete="off" spellcheck="false" value="<?php echo esc_attr( (string) get_option( 'luneo_key', '' ) ); ?>">
							<p class="description"><?php esc_html_e( 'Shown by Luneo once your store is connected. It is public (it appears on product pages); only your site’s address may use it.', 'luneo-personalizer' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="luneo_button_label"><?php esc_html_e( 'Button label', 'luneo-personalizer' ); ?></label></th>
						<td><input name="luneo_button_label" id="luneo_button_label" type="text" class="regular-text" placeholder="<?php esc_attr_e( 'Customize', 'luneo-personalizer' ); ?>" value="<?php echo esc_attr( (string) get_option( 'luneo_button_label', '' ) ); ?>"></td>
					</tr>
					<tr>
						<th scope="row"><label for="luneo_button_color"><?php esc_html_e( 'Button colours', 'luneo-personalizer' ); ?></label></th>
						<td>
							<input name="luneo_button_color" id="luneo_button_color" type="text" placeholder="#111827" value="<?php echo esc_attr( (string) get_option( 'luneo_button_color', '' ) ); ?>">
							<label for="luneo_button_text_color" class="screen-reader-text"><?php esc_html_e( 'Button text colour', 'luneo-personalizer' ); ?></label>
							<input name="luneo_button_text_color" id="luneo_button_text_color" type="text" placeholder="#ffffff" value="<?php echo esc_attr( (string) get_option( 'luneo_button_text_color', '' ) ); ?>">
						</td>
					</tr>
				</table>
				<?php submit_button(); ?>
			</form>
			<h2><?php esc_html_e( 'Connection', 'luneo-personalizer' ); ?></h2>
			<?php if ( '' !== $connect ) : ?>
				<p><?php esc_html_e( 'Connect this store so Luneo can read its products and orders and send back shipments.', 'luneo-personalizer' ); ?></p>
				<p><a class="button button-primary" href="<?php echo esc_url( $connect ); ?>"><?php esc_html_e( 'Connect to Luneo', 'luneo-personalizer' ); ?></a></p>
			<?php else : ?>
				<p><?php esc_html_e( 'Enter the Luneo URL and save to connect this store.', 'luneo-personalizer' ); ?></p>
			<?php endif; ?>
		</div>
		<?php
	}

	/**
	 * Shown when WooCommerce is not active.
	 */
	public static function woocommerce_missing_notice() {
		echo '<div class="notice notice-error"><p>' . esc_html__( 'Luneo Personalizer needs WooCommerce to be installed and active.', 'luneo-personalizer' ) . '</p></div>';
	}
}
